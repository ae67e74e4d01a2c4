using System.Diagnostics;
using System.Text;

namespace QSpin.Coyote.Tests;

/// <summary>
/// A readable account of one schedule, written only when a failing schedule is replayed (it costs a
/// stack walk per step): before each atomic step, which task is about to take it, where in the
/// library (file:line of the step's caller), and the lock word at that moment; plus each task's
/// acquisitions, releases and futex calls. Coyote's own readable trace names operations, not code.
/// </summary>
internal static class Story
{
    public static bool Enabled;

    [ThreadStatic] private static int t_task;

    private static readonly StringBuilder s_text = new();
    private static int s_steps;

    public static void BeginIteration()
    {
        s_text.Clear();
        s_steps = 0;
    }

    /// <summary>Names the calling thread for the story (tasks are numbered from 0; 0 is also the test body before any task).</summary>
    public static void SetTask(int task) => t_task = task;

    public static void Line(string what)
    {
        if (Enabled) s_text.Append($"{s_steps,5}  task {t_task}: {what}").AppendLine();
    }

    public static void Step()
    {
        s_steps++;
        // Frame 0 is here, 1 Coverage.OnAtomic, then TestHooks.Interleave and the Atomic primitive (unless
        // inlined): the first frame outside this assembly, TestHooks and Atomic is the lock's code that is
        // about to take an atomic step.
        string site = "?";
        foreach (StackFrame f in new StackTrace(1, true).GetFrames())
        {
            var m = f.GetMethod();
            if (m?.DeclaringType is not { } t || t.Assembly == typeof(Story).Assembly || t == typeof(TestHooks) || t == typeof(Atomic)) continue;
            site = $"{t.Name}.{m.Name} ({Path.GetFileName(f.GetFileName())}:{f.GetFileLineNumber()})";
            break;
        }
        LockUnderTest[]? locks = Coverage.Locks;
        string word = locks is null ? "" : "  " + string.Join("; ", locks.Select(l => l.Describe()));
        s_text.Append($"{s_steps,5}  task {t_task}: step at {site}{word}").AppendLine();
    }

    public static string Text => s_text.ToString();
}
