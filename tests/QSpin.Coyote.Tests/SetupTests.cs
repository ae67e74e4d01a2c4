using System.Reflection;

namespace QSpin.Coyote.Tests;

/// <summary>Guards for the set-up every other test in this assembly depends on.</summary>
public class SetupTests
{
    private static bool IsRewritten(Assembly a) =>
        a.GetCustomAttributesData().Any(x => x.AttributeType.FullName == "Microsoft.Coyote.Rewriting.RewritingSignatureAttribute");

    /// <summary>Without rewriting, Task and Interlocked/Volatile operations escape Coyote's control.</summary>
    [Fact]
    public void AssembliesAreRewritten()
    {
        Assert.True(IsRewritten(typeof(SetupTests).Assembly), "QSpin.Coyote.Tests.dll was not rewritten by `dotnet coyote rewrite`");
        Assert.True(IsRewritten(typeof(QSpinLock).Assembly), $"{typeof(QSpinLock).Assembly.Location} was not rewritten by `dotnet coyote rewrite`");
    }

    /// <summary>The runtimeconfig switch must reach QSpin before its types initialise.</summary>
    [Fact]
    public void TestHooksAreEnabled()
    {
        Assert.True(AppContext.TryGetSwitch("QSpin.TestHooks", out bool on) && on, "AppContext switch QSpin.TestHooks is not set");
        Assert.True(TestHooks.Enabled);
    }
}
