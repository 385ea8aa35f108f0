namespace EcgStream.Onnx.Graph;

/// <summary>
/// One dimension of a declared input or output shape: a fixed size, or a symbolic name such as
/// "N" for a dynamic batch axis. Converts implicitly from <c>int</c>/<c>long</c> and <c>string</c>,
/// so shapes read as <c>["N", 12, 2250]</c>.
/// </summary>
public readonly record struct Dim
{
    private Dim(long value, string? symbol) { Value = value; Symbol = symbol; }

    /// <summary>The fixed size; -1 when symbolic.</summary>
    public long Value { get; }
    /// <summary>The symbolic name, or null when fixed.</summary>
    public string? Symbol { get; }
    public bool IsSymbolic => Symbol is not null;

    public static Dim Fixed(long value) =>
        value >= 0 ? new Dim(value, null) : throw new ArgumentOutOfRangeException(nameof(value), value, "a fixed dimension is ≥ 0");

    public static Dim Symbolic(string name) =>
        string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("a symbolic dimension needs a name", nameof(name)) : new Dim(-1, name);

    public static implicit operator Dim(int value) => Fixed(value);
    public static implicit operator Dim(long value) => Fixed(value);
    public static implicit operator Dim(string name) => Symbolic(name);

    public override string ToString() => Symbol ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
