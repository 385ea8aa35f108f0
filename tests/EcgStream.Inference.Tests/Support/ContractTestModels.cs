using EcgStream.Core.Models;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Graph;

namespace EcgStream.Inference.Tests.Support;

/// <summary>Small contract-shaped models with chosen classes and outputs, for contract-check tests.</summary>
internal static class ContractTestModels
{
    /// <summary>logits = mean over time of each lead · W + lead_mask · W (W fixed), columns = <paramref name="classes"/>.</summary>
    public static GraphBuilder Linear(IReadOnlyList<string> classes, int layerWeights = 0)
    {
        int c = classes.Count;
        var g = new GraphBuilder("contract_linear");
        var (ecg, mask) = g.ContractInputs();
        var w = Enumerable.Range(0, ModelContract.LeadCount * c).Select(i => (float)((i % 7) - 3) * 0.25f).ToArray();
        var wi = g.Initializer("w", w, ModelContract.LeadCount, c);
        g.Node("Add", [g.MatMul(g.ReduceMean(ecg, [2], keepDims: false), wi), g.MatMul(mask, wi)], [ModelContract.LogitsOutput]);
        g.Output(ModelContract.LogitsOutput, ElementType.Float, "N", c);
        if (layerWeights > 0)
        {
            var gate = g.Initializer("gate", Enumerable.Range(0, ModelContract.LeadCount * layerWeights).Select(i => (float)(i % 5)).ToArray(), ModelContract.LeadCount, layerWeights);
            g.Node("Softmax", [g.MatMul(mask, gate)], [ModelContract.LayerWeightsOutput], [Attr.Int("axis", -1)]);
            g.Output(ModelContract.LayerWeightsOutput, ElementType.Float, "N", layerWeights);
        }
        return g.WriteContractMetadata(new ContractModelInfo { ModelId = "linear-test", Classes = classes });
    }
}
