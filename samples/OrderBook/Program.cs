using System.Diagnostics;
using System.Globalization;
using OrderBookSample;
using QSpin;

// A shared order book hit by many trader threads, with a quote publisher that must not stall.
// Usage: OrderBook [--seconds S] [--traders N]. Watch it live with dotnet-counters (README.md).

double seconds = 5;
int traders = 2 * Environment.ProcessorCount;
for (int i = 0; i < args.Length; i++)
{
    string? value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && seconds > 0 && seconds <= 3600:
        case "--traders" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out traders) && traders is > 0 and <= 1024:
            i++;
            break;
        case "--seconds":
            return Fail($"--seconds needs a number of seconds from 0 to 3600, got '{value}'");
        case "--traders":
            return Fail($"--traders needs a whole number from 1 to 1024, got '{value}'");
        default:
            return Fail($"unknown argument '{args[i]}' (usage: OrderBook [--seconds S] [--traders N])");
    }
}

Console.WriteLine($"QSpin mode: {QSpinOps.Mode} ({QSpinOps.Reason}); lock events {(QSpinStats.Enabled ? "on" : "off (QSPIN_STATS=1 turns them on)")}");
Console.WriteLine($"process {Environment.ProcessId}: dotnet-counters monitor -p {Environment.ProcessId} --counters {QSpinStats.MeterName},System.Runtime");
Console.WriteLine(LockStatementMistake.LockStatementIgnoresTheQSpinLock()
    ? "lock (gate) got in while this thread held gate: it took gate's Monitor, not the QSpinLock (warning QSPIN001)"
    : "lock (gate) got in, and gate was not held: unexpected");

var book = new OrderBook();
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var orders = new long[traders];
var threads = new List<Thread>();
for (int t = 0; t < traders; t++)
{
    int me = t;
    threads.Add(new Thread(() => Trade(book, me, orders, stop.Token)) { Name = $"trader {t}", IsBackground = true });
}
long quotes = 0, skipped = 0, crossed = 0;
threads.Add(new Thread(() =>
{
    while (!stop.IsCancellationRequested)
    {
        if (book.TryQuote(TimeSpan.FromMilliseconds(1), out var quote))
        {
            quotes++;
            if (quote.Crossed) crossed++;
        }
        else
        {
            skipped++;
        }
        Thread.Sleep(1);
    }
}) { Name = "quote publisher", IsBackground = true });

var clock = Stopwatch.StartNew();
foreach (var thread in threads) thread.Start();
foreach (var thread in threads) thread.Join();
clock.Stop();

var audit = book.Audit();
long total = orders.Sum();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{traders} traders, {clock.Elapsed.TotalSeconds:F1} s: {total:N0} orders ({total / clock.Elapsed.TotalSeconds / 1e6:F2} M/s), {audit.Trades:N0} trades, {audit.Traded:N0} shares traded, {audit.Resting:N0} resting"));
double jain = (double)total * total / (traders * orders.Sum(o => (double)o * o)); // 1 when every trader got an equal share
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"orders per trader: min {orders.Min():N0}, max {orders.Max():N0}, fairness (Jain's index) {jain:F3}"));
Console.WriteLine($"quote publisher: {quotes:N0} quotes, {skipped:N0} skipped (lock not had within 1 ms), {crossed} crossed");
if (QSpinStats.Enabled)
    Console.WriteLine("lock events: " + string.Join(", ", QSpinStats.Snapshot().Where(e => e.Value != 0).Select(e => $"{e.Key} {e.Value:N0}")));

bool ok = audit.Holds && crossed == 0;
Console.WriteLine(ok
    ? "book invariants hold: submitted = resting + 2 x traded, never crossed"
    : $"BOOK INVARIANTS VIOLATED: submitted {audit.Submitted}, resting {audit.Resting}, traded {audit.Traded}, crossed quotes {crossed}, top {audit.Top}");
return ok ? 0 : 1;

static void Trade(OrderBook book, int me, long[] orders, CancellationToken stop)
{
    var random = new Random(me);
    long count = 0;
    while (!stop.IsCancellationRequested)
    {
        var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
        // Prices cluster around the middle of the book, so orders cross and trade as well as rest.
        int price = Math.Clamp(OrderBook.Ticks / 2 + random.Next(-8, 9) + (side == Side.Buy ? -2 : 2), 0, OrderBook.Ticks - 1);
        book.Submit(side, price, random.Next(1, 101));
        count++;
    }
    orders[me] = count;
}

static int Fail(string message)
{
    Console.Error.WriteLine($"OrderBook: {message}");
    return 2;
}
