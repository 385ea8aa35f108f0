using System.Numerics;
using System.Text;

namespace EcgStream.Core.Leads;

/// <summary>
/// A set of standard leads as a 12-bit mask (bit i = <see cref="Lead"/> i). Value type, no allocation.
/// Iteration yields leads in contract order, which is also the order of lead planes in a
/// <see cref="Samples.SampleBlock"/>.
/// </summary>
public readonly record struct LeadSet(ushort Mask)
{
    public const ushort AllMask = 0x0FFF;

    public static LeadSet None => new(0);
    public static LeadSet All => new(AllMask);
    public static LeadSet Of(params ReadOnlySpan<Lead> leads)
    {
        ushort m = 0;
        foreach (var l in leads) m |= (ushort)(1 << (int)l);
        return new LeadSet(m);
    }

    public int Count => BitOperations.PopCount(Mask);
    public bool IsEmpty => Mask == 0;
    public bool Contains(Lead lead) => (Mask & (1 << (int)lead)) != 0;
    public LeadSet With(Lead lead) => new((ushort)(Mask | (1 << (int)lead)));
    public LeadSet Without(Lead lead) => new((ushort)(Mask & ~(1 << (int)lead)));
    public LeadSet Intersect(LeadSet other) => new((ushort)(Mask & other.Mask));
    public LeadSet Union(LeadSet other) => new((ushort)(Mask | other.Mask));

    /// <summary>Position of <paramref name="lead"/> among the set's members (its plane index), or -1.</summary>
    public int IndexOf(Lead lead) =>
        Contains(lead) ? BitOperations.PopCount((uint)(Mask & ((1 << (int)lead) - 1))) : -1;

    /// <summary>The lead at plane index <paramref name="index"/>.</summary>
    public Lead this[int index]
    {
        get
        {
            uint m = Mask;
            for (int i = 0; i < index; i++) m &= m - 1;
            if (m == 0) throw new ArgumentOutOfRangeException(nameof(index), index, $"lead set {this} has {Count} leads");
            return (Lead)BitOperations.TrailingZeroCount(m);
        }
    }

    public Enumerator GetEnumerator() => new(Mask);

    public struct Enumerator(ushort mask)
    {
        private uint _rest = mask;
        public Lead Current { get; private set; }
        public bool MoveNext()
        {
            if (_rest == 0) return false;
            Current = (Lead)BitOperations.TrailingZeroCount(_rest);
            _rest &= _rest - 1;
            return true;
        }
    }

    public override string ToString()
    {
        if (Mask == 0) return "{}";
        var sb = new StringBuilder();
        foreach (var l in this) { if (sb.Length > 0) sb.Append(','); sb.Append(Leads.Name(l)); }
        return sb.ToString();
    }
}
