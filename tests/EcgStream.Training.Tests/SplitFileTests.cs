using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Tests;

/// <summary>A split file that is not what <see cref="DatasetSplits.Save"/> writes is refused in one message naming the file and the problem.</summary>
public sealed class SplitFileTests
{
    private const string Head = "\"Seed\": 1, \"ValidationFraction\": 0.1, \"TestFraction\": 0.2";

    [Theory]
    [InlineData("{}", "\"Seed\" missing or not a non-negative integer")]
    [InlineData("null", "expected a JSON object, found null")]
    [InlineData("[]", "expected a JSON object, found an array")]
    [InlineData("{" + Head + "}", "\"Records\" missing or not an object (found nothing); keys are case-sensitive")]
    [InlineData("{\"seed\": 1, \"validationFraction\": 0.1, \"testFraction\": 0.2, \"records\": {}}", "\"Seed\" missing")]
    [InlineData("{" + Head + ", \"Records\": []}", "\"Records\" missing or not an object (found an array)")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": null}}", "record mitdb/101: expected an object with Patient and Split, found null")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Split\": \"Test\"}}}", "record mitdb/101: \"Patient\" missing or not a non-empty string")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"\", \"Split\": \"Test\"}}}", "record mitdb/101: \"Patient\" missing or not a non-empty string")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"p\", \"Split\": 7}}}", "record mitdb/101: \"Split\" is 7; expected \"Train\", \"Validation\" or \"Test\"")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"p\", \"Split\": 2}}}", "record mitdb/101: \"Split\" is 2; expected")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"p\", \"Split\": \"2\"}}}", "record mitdb/101: \"Split\" is \"2\"; expected")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"p\", \"Split\": \"Foo\"}}}", "record mitdb/101: \"Split\" is \"Foo\"; expected")]
    [InlineData("{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"p\", \"Split\": \"Train\"}, \"mitdb/101\": {\"Patient\": \"p\", \"Split\": \"Test\"}}}",
        "\"Records\": key \"mitdb/101\" appears twice")]
    [InlineData("{" + Head + ", \"Seed\": 2, \"Records\": {}}", "the top level: key \"Seed\" appears twice")]
    [InlineData("{\"Seed\": -1, \"ValidationFraction\": 0.1, \"TestFraction\": 0.2, \"Records\": {}}", "\"Seed\" missing or not a non-negative integer")]
    [InlineData("{\"Seed\": 1, \"ValidationFraction\": \"0.1\", \"TestFraction\": 0.2, \"Records\": {}}", "\"ValidationFraction\" missing or not a number")]
    [InlineData("{\"Seed\": 1, \"ValidationFraction\": 0.9, \"TestFraction\": 0.5, \"Records\": {}}", "validation 0.9 and test 0.5 fractions must be >= 0 and sum below 1")]
    [InlineData("{" + Head + ", \"Records\": {\"a/1\": {\"Patient\": \"P\", \"Split\": \"Test\"}, \"a/2\": {\"Patient\": \"P\", \"Split\": \"Train\"}}}", "patient P appears in Test and Train")]
    [InlineData("", "not a split file")]
    public void A_malformed_split_file_is_refused_naming_the_file(string json, string problem)
    {
        var path = Path.Combine(SyntheticData.TempDir(), "splits.json");
        File.WriteAllText(path, json);
        var message = Assert.Throws<InvalidDataException>(() => DatasetSplits.Load(path)).Message;
        Assert.StartsWith($"{path}: ", message);
        Assert.Contains(problem, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Split_names_are_read_in_any_case_and_a_record_of_another_patient_names_the_file()
    {
        var path = Path.Combine(SyntheticData.TempDir(), "splits.json");
        File.WriteAllText(path, "{" + Head + ", \"Records\": {\"mitdb/101\": {\"Patient\": \"mitdb/patient-999\", \"Split\": \"test\"}}}");
        var splits = DatasetSplits.Load(path);
        Assert.Equal(Split.Test, splits.Of("mitdb/101"));
        var entry = new RecordEntry("mitdb", "mitdb/101", "mitdb/patient-101", "", 1);
        Assert.Equal($"{path}: record mitdb/101 is patient mitdb/patient-999, the data says mitdb/patient-101",
            Assert.Throws<InvalidDataException>(() => splits.Assign(entry)).Message);
    }
}
