using QSpin.Cli.Bench;

namespace QSpin.Cli.Locks;

/// <summary>
/// A table of locks under test, as the striped benchmark loop sees it: take lock <c>i</c>, release it.
/// Like <see cref="ILockContender"/>, implementations are small <c>readonly struct</c>s and the loop
/// (<see cref="StripedWorkload.Run{TTable}"/>) is generic over them, so Enter and Exit are inlined.
/// </summary>
internal interface ILockTableContender
{
    /// <summary>Acquires lock <paramref name="index"/>, waiting as long as necessary.</summary>
    void Enter(int index);

    /// <summary>Releases lock <paramref name="index"/>, taken by the calling thread.</summary>
    void Exit(int index);
}
