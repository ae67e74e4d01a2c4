using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace QSpin.Cli;

/// <summary>
/// Option values as every <c>qspin</c> command parses them. A bad value becomes one parse error,
/// <c>OPTION: problem</c>, that names the option and quotes the value (never an exception);
/// <see cref="Program.Run"/> reports it through <see cref="Usage"/>. Lists take spaces or commas
/// (<c>1 2 4</c> or <c>1,2,4</c>); durations take seconds or a unit (<c>0.4</c>, <c>400ms</c>, <c>2s</c>).
/// </summary>
internal static class OptionValues
{
    /// <summary>Largest number of seconds any option takes.</summary>
    public const double MaxSeconds = 1e6;

    /// <summary>An option taking one whole number from <paramref name="min"/> to <paramref name="max"/> (a <paramref name="what"/>).</summary>
    public static Option<int> Int(string name, int defaultValue, int min, int max, string what, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Int(r, min, max, what) ?? defaultValue,
    };

    /// <summary>
    /// An option taking a duration in seconds: more than 0 when <paramref name="positive"/>, else 0 or
    /// more; at most <see cref="MaxSeconds"/>.
    /// </summary>
    public static Option<double> Seconds(string name, double defaultValue, bool positive, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Seconds(r, positive ? double.Epsilon : 0, MaxSeconds, positive ? "more than 0 s, at most 1e6 s" : "0 to 1e6 s") ?? defaultValue,
    };

    /// <summary>The option's one value as a whole number within bounds, or null after adding the error.</summary>
    public static int? Int(ArgumentResult r, int min, int max, string what) => Int(r, Value(r), min, max, what);

    /// <summary>The option's values (split on commas and spaces) as whole numbers within bounds, or null after adding the error.</summary>
    public static int[]? IntList(ArgumentResult r, int min, int max, string what)
    {
        var values = new List<int>();
        foreach (string item in Items(r))
        {
            if (Int(r, item, min, max, what) is not { } v) return null;
            values.Add(v);
        }
        if (values.Count == 0)
        {
            AddError(r, "needs at least one value");
            return null;
        }
        return [.. values];
    }

    /// <summary>
    /// The option's one value as seconds, from <paramref name="min"/> to <paramref name="max"/> (described
    /// to the user as <paramref name="allowed"/>), or null after adding the error.
    /// </summary>
    public static double? Seconds(ArgumentResult r, double min, double max, string allowed)
    {
        string raw = Value(r);
        string text = raw.Trim().ToLowerInvariant();
        double scale = 1;
        if (text.EndsWith("ms", StringComparison.Ordinal)) (text, scale) = (text[..^2], 1e-3);
        else if (text.EndsWith('s')) text = text[..^1];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
        {
            AddError(r, $"'{raw}' is not a duration (examples: 0.4, 400ms, 2s)");
            return null;
        }
        v *= scale;
        if (v < min || v > max)
        {
            AddError(r, string.Create(CultureInfo.InvariantCulture, $"{v} s is out of range (allowed: {allowed})"));
            return null;
        }
        return v;
    }

    /// <summary>The option's values split on commas and whitespace.</summary>
    public static IEnumerable<string> Items(ArgumentResult r) =>
        r.Tokens.SelectMany(t => t.Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Adds the parse error <c>OPTION: problem</c>.</summary>
    public static void AddError(ArgumentResult r, string problem) => r.AddError($"{OptionName(r)}: {problem}");

    private static string OptionName(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? "argument";

    /// <summary>The value of a single-value option (the last one given).</summary>
    private static string Value(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static int? Int(ArgumentResult r, string text, int min, int max, string what)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
        {
            AddError(r, $"'{text}' is not a whole number");
            return null;
        }
        if (v < min || v > max)
        {
            AddError(r, string.Create(CultureInfo.InvariantCulture, $"{v} is not a valid {what} (allowed: {min} to {max})"));
            return null;
        }
        return v;
    }
}
