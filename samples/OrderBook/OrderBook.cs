using QSpin;

namespace OrderBookSample;

/// <summary>Which side of the book an order is on.</summary>
public enum Side
{
    /// <summary>An order to buy at the price or lower.</summary>
    Buy,

    /// <summary>An order to sell at the price or higher.</summary>
    Sell,
}

/// <summary>The best prices and the quantity resting there; a price of -1 means that side is empty.</summary>
public readonly record struct Quote(int BidPrice, long BidQuantity, int AskPrice, long AskQuantity)
{
    /// <summary>True if both sides have orders and the best bid is not below the best ask, which a matching engine never leaves behind.</summary>
    public bool Crossed => BidPrice >= 0 && AskPrice >= 0 && BidPrice >= AskPrice;
}

/// <summary>Totals for checking the book: every share submitted is either still resting or was traded, and a trade takes a share from each side.</summary>
public readonly record struct Audit(long Submitted, long Traded, long Resting, long Trades, Quote Top)
{
    /// <summary>True if no share was lost or made up: submitted = resting + 2 x traded, and the book is not crossed.</summary>
    public bool Holds => Submitted == Resting + 2 * Traded && !Top.Crossed;
}

/// <summary>
/// A limit order book for one instrument, shared by many threads. Prices are ticks from 0 to
/// <see cref="Ticks"/> - 1; the book keeps the quantity resting at each tick and matches an incoming
/// order against the best prices of the other side. Every operation is one short critical section
/// under one <see cref="QSpinLock"/>, with no allocation inside: the kind of lock QSpin is for.
/// </summary>
public sealed class OrderBook
{
    /// <summary>The number of price ticks.</summary>
    public const int Ticks = 64;

    private readonly QSpinLock _gate = new();
    private readonly long[] _bids = new long[Ticks];
    private readonly long[] _asks = new long[Ticks];
    private int _bestBid = -1;      // highest tick with a bid, -1 when none
    private int _bestAsk = Ticks;   // lowest tick with an ask, Ticks when none
    private long _submitted, _traded, _trades;

    /// <summary>Matches an order against the other side, rests what is left, and returns the quantity traded.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The price is not a tick of the book, or the quantity is not positive.</exception>
    public long Submit(Side side, int price, long quantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(price);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(price, Ticks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);

        using (_gate.EnterScope())
        {
            _submitted += quantity;
            long left = side == Side.Buy ? BuyAgainstAsks(price, quantity) : SellAgainstBids(price, quantity);
            if (left > 0)
            {
                if (side == Side.Buy)
                {
                    _bids[price] += left;
                    _bestBid = Math.Max(_bestBid, price);
                }
                else
                {
                    _asks[price] += left;
                    _bestAsk = Math.Min(_bestAsk, price);
                }
            }
            return quantity - left;
        }
    }

    /// <summary>
    /// The best bid and ask, if the lock can be had within <paramref name="timeout"/>: a quote
    /// publisher must not stall behind the traders, so it skips a beat instead of waiting.
    /// A waiter that gives up leaves QSpin's queue without disturbing the order of the others.
    /// </summary>
    public bool TryQuote(TimeSpan timeout, out Quote quote)
    {
        if (!_gate.TryEnter(timeout))
        {
            quote = default;
            return false;
        }
        try
        {
            quote = Top();
            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>The totals, taken under the lock so that they are consistent with each other.</summary>
    public Audit Audit()
    {
        using (_gate.EnterScope())
        {
            long resting = 0;
            for (int t = 0; t < Ticks; t++) resting += _bids[t] + _asks[t];
            return new Audit(_submitted, _traded, resting, _trades, Top());
        }
    }

    private Quote Top() => new(
        _bestBid, _bestBid >= 0 ? _bids[_bestBid] : 0,
        _bestAsk < Ticks ? _bestAsk : -1, _bestAsk < Ticks ? _asks[_bestAsk] : 0);

    private long BuyAgainstAsks(int limit, long quantity)
    {
        while (quantity > 0 && _bestAsk <= limit)
        {
            long take = Math.Min(quantity, _asks[_bestAsk]);
            Trade(ref _asks[_bestAsk], take, ref quantity);
            while (_bestAsk < Ticks && _asks[_bestAsk] == 0) _bestAsk++;
        }
        return quantity;
    }

    private long SellAgainstBids(int limit, long quantity)
    {
        while (quantity > 0 && _bestBid >= limit)
        {
            long take = Math.Min(quantity, _bids[_bestBid]);
            Trade(ref _bids[_bestBid], take, ref quantity);
            while (_bestBid >= 0 && _bids[_bestBid] == 0) _bestBid--;
        }
        return quantity;
    }

    private void Trade(ref long resting, long take, ref long incoming)
    {
        resting -= take;
        incoming -= take;
        _traded += take;
        _trades++;
    }
}
