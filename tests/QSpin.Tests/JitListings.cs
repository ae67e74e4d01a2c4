using System.Text.RegularExpressions;

namespace QSpin.Tests;

/// <summary>
/// Reads what <c>DOTNET_JitDisasm</c> + <c>DOTNET_JitStdOutFile</c> wrote for the TestHost's
/// disassembly targets (CallExit, CallEnter, CallTryEnter; see its <c>disasm</c> scenario).
/// </summary>
internal static class JitListings
{
    public static readonly string[] Targets = ["CallExit", "CallEnter", "CallTryEnter", "CallArrayExit", "CallArrayEnter"];

    /// <summary>The environment that makes a TestHost child write the targets' listings to <paramref name="file"/>.</summary>
    public static Dictionary<string, string?> Environment(string file) => new()
    {
        ["DOTNET_JitDisasm"] = string.Join(' ', Targets),
        ["DOTNET_JitStdOutFile"] = file,
        ["DOTNET_TieredCompilation"] = "1",
        ["DOTNET_ReadyToRun"] = "1",
    };

    /// <summary>The Tier-1 listing of each target in <paramref name="text"/>; fails when one is missing.</summary>
    public static Dictionary<string, string> Tier1(string text)
    {
        var result = new Dictionary<string, string>();
        foreach (string block in text.Split("; Assembly listing for method ").Skip(1))
        {
            var m = Regex.Match(block, @"^QSpin\.TestHost\.Program:(\w+)\(.*?\((Tier1)\)");
            if (m.Success) result[m.Groups[1].Value] = block;
        }
        foreach (string method in Targets)
            Assert.True(result.ContainsKey(method), $"no Tier-1 listing of {method} in:\n{text}");
        return result;
    }

    /// <summary>The instruction lines of a listing (labels, comments and directives dropped).</summary>
    public static List<string> Instructions(string listing) =>
        listing.Split('\n')
            .Skip(1) // the method name line left by the split on "; Assembly listing for method "
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith(';') && !l.StartsWith("G_M") && !l.StartsWith("align"))
            .Select(l => Regex.Replace(l, @"\s+", " "))
            .ToList();
}
