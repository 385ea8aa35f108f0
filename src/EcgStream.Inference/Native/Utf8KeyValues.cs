using System.Runtime.InteropServices;

namespace EcgStream.Inference.Native;

/// <summary>Parallel NUL-terminated UTF-8 key and value arrays in native memory (provider options).</summary>
internal sealed unsafe class Utf8KeyValues : IDisposable
{
    private readonly Utf8String[] _strings;

    public Utf8KeyValues(IReadOnlyList<(string Key, string Value)> pairs)
    {
        _strings = new Utf8String[pairs.Count * 2];
        Keys = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, pairs.Count), (nuint)sizeof(byte*));
        Values = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, pairs.Count), (nuint)sizeof(byte*));
        for (int i = 0; i < pairs.Count; i++)
        {
            _strings[2 * i] = new Utf8String(pairs[i].Key);
            _strings[2 * i + 1] = new Utf8String(pairs[i].Value);
            Keys[i] = _strings[2 * i].Pointer;
            Values[i] = _strings[2 * i + 1].Pointer;
        }
        Count = (nuint)pairs.Count;
    }

    public byte** Keys { get; }
    public byte** Values { get; }
    public nuint Count { get; }

    public void Dispose()
    {
        foreach (var s in _strings) s?.Dispose();
        NativeMemory.Free(Keys);
        NativeMemory.Free(Values);
    }
}
