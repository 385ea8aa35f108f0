namespace EcgStream.Ingest.Ble;

public enum NotificationLineKind : byte
{
    /// <summary>A notification (or indication) value was parsed.</summary>
    Notification,
    /// <summary>Not a notification: prompts, status messages, blank lines. Ignored.</summary>
    Other,
    /// <summary>Looks like a notification but its hex is broken (odd digit count, bad character, too long).</summary>
    Malformed,
}

/// <summary>
/// Parses one text line holding a GATT notification, in the formats BLE tools print:
/// <list type="bullet">
/// <item>BlueZ gatttool --listen / interactive: <c>Notification handle = 0x004a value: 00 91 f7 …</c> (also <c>Indication</c>)</item>
/// <item>BlueZ btgatt-client: <c>Handle Value Not/Ind: 0x004a - 00 91 f7 …</c></item>
/// <item>plain: one value per line as hex, spaced or not (<c>a55a01…</c>, <c>a5 5a 01 …</c>), optionally
/// prefixed with <c>0x004a:</c> or <c>handle=0x004a</c> to name the handle.</item>
/// </list>
/// Works on the line's bytes (ASCII); allocates nothing.
/// </summary>
public static class NotificationLine
{
    /// <summary>Largest value accepted (ATT values are at most 512 bytes).</summary>
    public const int MaxValue = 512;

    public static NotificationLineKind Parse(ReadOnlySpan<byte> line, Span<byte> value, out int length, out int handle)
    {
        length = 0;
        handle = -1;
        line = Trim(line);
        if (line.IsEmpty) return NotificationLineKind.Other;

        int v;
        if ((v = IndexOfIgnoreCase(line, "value:"u8)) >= 0)
        {
            // gatttool: "Notification handle = 0x004a value: …"; lines without "handle" (e.g. char-read
            // results "Characteristic value/descriptor: …") are not notifications
            int h = IndexOfIgnoreCase(line, "handle"u8);
            if (h < 0 || h > v || IndexOfIgnoreCase(line, "Notification"u8) < 0 && IndexOfIgnoreCase(line, "Indication"u8) < 0)
                return NotificationLineKind.Other;
            handle = ParseHandle(line[(h + 6)..v]);
            return Hex(line[(v + 6)..], value, out length);
        }
        if ((v = IndexOfIgnoreCase(line, "Not/Ind:"u8)) >= 0)
        {
            var rest = line[(v + 8)..];
            int dash = rest.IndexOf("- "u8);
            if (dash < 0) dash = rest.IndexOf((byte)'-');
            if (dash < 0) return NotificationLineKind.Malformed;
            handle = ParseHandle(rest[..dash]);
            var hex = rest[(dash + 1)..];
            if (Trim(hex).StartsWith("("u8)) { length = 0; return NotificationLineKind.Notification; } // "(0 bytes)"
            return Hex(hex, value, out length);
        }
        if ((v = IndexOfIgnoreCase(line, "handle="u8)) == 0)
        {
            int sp = line.IndexOfAny((byte)' ', (byte)'\t');
            if (sp < 0) return NotificationLineKind.Malformed;
            handle = ParseHandle(line[7..sp]);
            return handle < 0 ? NotificationLineKind.Malformed : Hex(line[sp..], value, out length);
        }
        int colon = line.IndexOf((byte)':');
        if (colon > 0)
        {
            handle = ParseHandle(line[..colon]);
            if (handle < 0) return NotificationLineKind.Other;
            return Hex(line[(colon + 1)..], value, out length);
        }
        // a plain hex line; anything else (prompts, messages) is not ours
        foreach (byte b in line)
            if (!IsHex(b) && b is not ((byte)' ' or (byte)'\t')) return NotificationLineKind.Other;
        return Hex(line, value, out length);
    }

    private static NotificationLineKind Hex(ReadOnlySpan<byte> s, Span<byte> value, out int length)
    {
        length = 0;
        int hi = -1;
        foreach (byte b in s)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r')
            {
                if (hi >= 0) return NotificationLineKind.Malformed; // a lone digit: "a 5a"
                continue;
            }
            int d = HexValue(b);
            if (d < 0) return NotificationLineKind.Malformed;
            if (hi < 0) { hi = d; continue; }
            if (length >= value.Length || length >= MaxValue) return NotificationLineKind.Malformed;
            value[length++] = (byte)(hi << 4 | d);
            hi = -1;
        }
        return hi >= 0 ? NotificationLineKind.Malformed : NotificationLineKind.Notification;
    }

    /// <summary>"= 0x004a", " 0x004a ", "0x4A" → 0x4a; anything else → -1.</summary>
    private static int ParseHandle(ReadOnlySpan<byte> s)
    {
        s = Trim(s);
        if (s.StartsWith("="u8)) s = Trim(s[1..]);
        if (s.Length > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') s = s[2..];
        if (s.IsEmpty || s.Length > 4) return -1;
        int h = 0;
        foreach (byte b in s)
        {
            int d = HexValue(b);
            if (d < 0) return -1;
            h = h << 4 | d;
        }
        return h;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool IsHex(byte b) => HexValue(b) >= 0;

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, e = s.Length;
        while (a < e && s[a] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') a++;
        while (e > a && s[e - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') e--;
        return s[a..e];
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> word)
    {
        for (int i = 0; i + word.Length <= s.Length; i++)
        {
            int k = 0;
            while (k < word.Length && (s[i + k] | 0x20) == (word[k] | 0x20)) k++;
            if (k == word.Length) return i;
        }
        return -1;
    }
}
