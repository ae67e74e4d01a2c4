namespace QSpin.Cli;

/// <summary>The exit codes of every <c>qspin</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked: bench measured every cell, torture ended in SUCCESS.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found a failure: a bench cell or worker failed, a torture run ended in FAILURE.</summary>
    public const int Failed = 1;

    /// <summary>Nothing ran: an option, or an environment setting such as QSPIN_MODE, is invalid (the message names it).</summary>
    public const int BadArgument = 2;

    /// <summary>Ctrl+C (SIGINT) or SIGTERM stopped the run; what finished was kept (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
