using System.Text;
using EcgStream.Ingest.Ble;

namespace EcgStream.Ingest.Tests.Ble;

public class NotificationLineTests
{
    private static (NotificationLineKind kind, byte[] value, int handle) P(string line)
    {
        var buf = new byte[NotificationLine.MaxValue];
        var kind = NotificationLine.Parse(Encoding.ASCII.GetBytes(line), buf, out int n, out int h);
        return (kind, buf[..n], h);
    }

    [Theory]
    [InlineData("Notification handle = 0x004a value: 00 91 f7 ", 0x4a)]
    [InlineData("Indication   handle = 0x004A value: 00 91 F7", 0x4a)]
    [InlineData("\tHandle Value Not/Ind: 0x004a - 00 91 f7 ", 0x4a)]
    [InlineData("0091f7", -1)]
    [InlineData("00 91 f7\r", -1)]
    [InlineData("0x004a: 00 91 f7", 0x4a)]
    [InlineData("handle=0x4a 0091f7", 0x4a)]
    public void Parses_the_formats_of_BlueZ_tools_and_plain_hex(string line, int handle)
    {
        var (kind, value, h) = P(line);
        Assert.Equal(NotificationLineKind.Notification, kind);
        Assert.Equal(new byte[] { 0x00, 0x91, 0xf7 }, value);
        Assert.Equal(handle, h);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[EC:EA:02:85:D9:7A][LE]> connect")]
    [InlineData("Characteristic value was written successfully")]
    [InlineData("handle: 0x0047 \t value: 0f 05 00")] // a char-read result, not a notification
    [InlineData("Connection successful")]
    public void Ignores_lines_that_are_not_notifications(string line) => Assert.Equal(NotificationLineKind.Other, P(line).kind);

    [Theory]
    [InlineData("Notification handle = 0x004a value: 0 91")]
    [InlineData("Notification handle = 0x004a value: 00 9g")]
    [InlineData("a5 5a 0")]
    public void Reports_broken_hex_as_malformed(string line) => Assert.Equal(NotificationLineKind.Malformed, P(line).kind);

    [Fact]
    public void Refuses_values_longer_than_an_ATT_value()
    {
        var line = "Notification handle = 0x004a value: " + string.Concat(Enumerable.Repeat("ab ", NotificationLine.MaxValue + 1));
        Assert.Equal(NotificationLineKind.Malformed, P(line).kind);
    }
}
