namespace EcgStream.Cli.Tests;

/// <summary>What /proc says of processes: for tests that kill a parent and watch what it started.</summary>
internal static class ProcessTable
{
    /// <summary>
    /// Whether <paramref name="pid"/> still runs: an orphan is another process's child to reap, so a zombie (state Z in
    /// /proc/PID/stat) has ended as well.
    /// </summary>
    public static bool Running(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException) { return false; }
    }

    /// <summary>Processes whose parent is <paramref name="parent"/>, with their command lines (arguments joined by spaces).</summary>
    public static List<(int Pid, string Command)> Children(int parent)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // after "(comm) ": state, then the parent's id
                if (int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) != parent) continue;
                found.Add((pid, CommandOf(pid)));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException) { }
        }
        return found;
    }

    /// <summary>The command line of <paramref name="pid"/> (arguments joined by spaces); empty once it has gone.</summary>
    public static string CommandOf(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException) { return ""; }
    }
}
