using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace EcgStream.Training.Checkpoints;

/// <summary>
/// Checkpoints in the safetensors format, which PyTorch, JAX and the Hugging Face tools read:
/// an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>,
/// offsets relative to the end of the header, padded with spaces to a multiple of 8), then the
/// raw little-endian row-major data, every byte of it belonging to exactly one tensor.
/// Our own reader and writer over TorchSharp tensors: TorchSharp.PyBridge 1.4.4 (the maintained
/// package) writes no <c>__metadata__</c> and skips it when reading, and our files carry string
/// metadata (encoder sizes, head kind, checkpoint step) that its state-dict loader would drop.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Writes <paramref name="tensors"/> (in the dictionary's order) and optional string metadata to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");

        var entries = new List<(string Name, Tensor Tensor, long Begin, long End)>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
            var bytes = tensor.numel() * SafeTensorsDType.ElementSize(tensor.dtype);
            entries.Add((name, tensor, offset, offset + bytes));
            offset += bytes;
        }

        var header = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var (name, tensor, begin, end) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorsDType.Name(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (var d in tensor.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(begin);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padded = (header.WrittenCount + 7) / 8 * 8;

        // The folder is made here, as every other output of the toolchain makes its own.
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        var tmp = path + ".tmp";
        try
        {
            using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                file.Write(length);
                file.Write(header.WrittenSpan);
                for (var i = header.WrittenCount; i < padded; i++) file.WriteByte((byte)' ');
                foreach (var (_, tensor, begin, end) in entries) WriteData(file, tensor, end - begin);
            }
            // Write-then-rename: a crash mid-save never leaves a truncated checkpoint under the real name.
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            // a save that failed (a folder at the path, a full disk) leaves no half-written .tmp beside it
            try { File.Delete(tmp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private static void WriteData(FileStream file, Tensor tensor, long bytes)
    {
        if (bytes == 0) return;
        if (bytes > Array.MaxLength) throw new NotSupportedException($"tensor of {bytes} bytes is too large to stage through managed memory");
        var buffer = ArrayPool<byte>.Shared.Rent((int)bytes);
        try
        {
            CopyBytes(tensor, buffer.AsSpan(0, (int)bytes));
            file.Write(buffer, 0, (int)bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CopyBytes(Tensor tensor, Span<byte> destination)
    {
        // bytes reads a contiguous CPU tensor's storage; a view (a transposed weight) is copied first.
        using var scope = NewDisposeScope();
        var source = tensor.detach().cpu().contiguous();
        source.bytes.CopyTo(destination);
    }

    /// <summary>
    /// Reads every tensor of a safetensors file. The caller owns the returned tensors (they are
    /// not in any dispose scope). Malformed files raise <see cref="InvalidDataException"/>
    /// naming the file, the tensor and the byte offset.
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>As <see cref="Load(string)"/>, also returning the file's string metadata.</summary>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (entries, dataStart, meta) = ReadHeader(file, path);
        metadata = meta;

        var result = new Dictionary<string, Tensor>(entries.Count);
        try
        {
            foreach (var e in entries)
            {
                var bytes = e.End - e.Begin;
                var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(bytes, 1));
                try
                {
                    file.Position = dataStart + e.Begin;
                    file.ReadExactly(buffer, 0, (int)bytes);
                    result.Add(e.Name, FromBytes(buffer.AsSpan(0, (int)bytes), e.Shape, e.Type));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static Tensor FromBytes(Span<byte> data, long[] shape, ScalarType type)
    {
        var t = empty(shape, type).DetachFromDisposeScope();
        if (data.Length > 0) t.bytes = data;
        return t;
    }

    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    private static (List<Entry> Entries, long DataStart, Dictionary<string, string> Metadata) ReadHeader(FileStream file, string path)
    {
        var fileLength = file.Length;
        if (fileLength < 8) throw Bad(path, 0, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
            throw Bad(path, 0, $"header length {headerLength} exceeds the file ({fileLength} bytes) or the {MaxHeaderBytes}-byte limit");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Bad(path, 8 + (e.BytePositionInLine ?? 0), $"header is not valid JSON: {e.Message}");
        }

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, 8, "header JSON is not an object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, 8, $"'{MetadataKey}' is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, 8, $"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, prop));
            }
        }

        // Every data byte belongs to exactly one tensor: sorted by offset, the ranges must tile [0, dataLength).
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw Bad(path, dataStart + Math.Min(e.Begin, expected), $"tensor '{e.Name}': data_offsets begin at {e.Begin}, expected {expected} (holes and overlaps are not allowed)");
            expected = e.End;
        }
        if (expected != dataLength)
            throw Bad(path, dataStart + Math.Min(expected, dataLength), $"tensors cover {expected} data bytes, the file holds {dataLength}");
        return (entries, dataStart, metadata);
    }

    private static Entry ParseEntry(string path, JsonProperty prop)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(path, 8, $"tensor '{name}': entry is not an object");
        if (!v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw Bad(path, 8, $"tensor '{name}': missing string field 'dtype'");
        if (!SafeTensorsDType.TryParse(dtypeEl.GetString()!, out var type))
            throw Bad(path, 8, $"tensor '{name}': unsupported dtype '{dtypeEl.GetString()}'");
        if (!v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Bad(path, 8, $"tensor '{name}': missing array field 'shape'");
        var shape = new long[shapeEl.GetArrayLength()];
        long count = 1;
        var i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var size) || size < 0)
                throw Bad(path, 8, $"tensor '{name}': shape entry {i} is not a non-negative integer");
            shape[i++] = size;
            count = checked(count * size);
        }
        if (!v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2
            || !offEl[0].TryGetInt64(out var begin) || !offEl[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Bad(path, 8, $"tensor '{name}': 'data_offsets' must be [begin, end] with 0 <= begin <= end");
        var need = checked(count * SafeTensorsDType.ElementSize(type));
        if (end - begin != need)
            throw Bad(path, 8, $"tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes, {dtypeEl.GetString()} [{string.Join(", ", shape)}] needs {need}");
        if (need > Array.MaxLength) throw Bad(path, 8, $"tensor '{name}': {need} bytes is too large to load");
        return new Entry(name, type, shape, begin, end);
    }

    private static InvalidDataException Bad(string path, long byteOffset, string message) =>
        new($"{path} (byte {byteOffset}): {message}");
}
