using System.Globalization;
using Microsoft.Extensions.Options;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// Accepted associations on this node: at most <see cref="DicomOptions.MaxAssociations"/> in all and
/// <see cref="DicomOptions.MaxAssociationsPerAe"/> per calling AE title, so that one AE holding many
/// idle associations cannot lock every other AE out. At a limit, the association idle longest (for at least
/// <see cref="MinimumIdle"/>: no operation in progress, nothing heard from its peer) is ended to make room, so that
/// idle associations — a few AE titles' worth, or a scanner's half-open sockets — cannot lock the node for their
/// idle timeout. Connections that have not (yet) associated do not count here; the listener bounds them by address
/// and by time.
/// </summary>
internal sealed class AssociationSlots(IOptions<DicomOptions> options)
{
    /// <summary>An association idle for less than this is never ended to make room (it may be between two operations).</summary>
    public static readonly TimeSpan MinimumIdle = TimeSpan.FromSeconds(5);

    private readonly List<Slot> _open = [];

    /// <summary>A slot for an association of <paramref name="callingAe"/>, released by disposing it; null when a limit is reached.</summary>
    public Slot? TryTake(string callingAe, out string why)
    {
        var settings = options.Value;
        lock (_open)
        {
            var mine = _open.Count(s => s.CallingAe == callingAe);
            var (full, among) = _open.Count >= settings.MaxAssociations
                ? ($"{settings.MaxAssociations} associations are open (Dicom:MaxAssociations)", null)
                : mine >= settings.MaxAssociationsPerAe ? ($"{callingAe} has {mine} associations open (Dicom:MaxAssociationsPerAe)", callingAe) : ((string?)null, (string?)null);
            if (full is not null && !EndIdlest(among, callingAe, full))
            {
                why = full;
                return null;
            }
            var slot = new Slot(this, callingAe);
            _open.Add(slot);
            why = "";
            return slot;
        }
    }

    /// <summary>Ends the association idle longest (of <paramref name="ae"/> only, when given); false when none is idle long enough.</summary>
    private bool EndIdlest(string? ae, string newcomer, string full)
    {
        var idlest = _open
            .Where(s => ae is null || s.CallingAe == ae)
            .Select(s => (Slot: s, Idle: s.Service?.IdleTime))
            .Where(s => s.Idle >= MinimumIdle)
            .OrderByDescending(s => s.Idle)
            .FirstOrDefault();
        if (idlest.Slot is not { } slot)
            return false;
        var seconds = idlest.Idle!.Value.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        if (!slot.Service!.TryEndIfIdle($"ended to make room for {newcomer} after {seconds} s idle: {full}"))
            return false;
        _open.Remove(slot); // its end (and its Dispose) comes a moment later
        return true;
    }

    private void Release(Slot slot)
    {
        lock (_open)
            _open.Remove(slot);
    }

    /// <summary>An association's place; the service serving it is attached once it exists.</summary>
    public sealed class Slot(AssociationSlots slots, string callingAe) : IDisposable
    {
        private int _released;

        public string CallingAe { get; } = callingAe;

        public DimseService? Service { get; private set; }

        public void Serve(DimseService service) => Service = service;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release(this);
        }
    }
}
