using System.Collections.Concurrent;

namespace Chat.Baselines;

/// <summary>
/// A room's members on this process. The member list is copy-on-write: joins and leaves are rare
/// next to messages, so fan-out reads a plain array without taking a lock or allocating.
/// </summary>
internal class Room<TMember>(string id)
    where TMember : class
{
    private TMember[] _members = [];
    private bool _retired;

    public string Id { get; } = id;

    /// <summary>The members at this instant; never changed in place.</summary>
    public TMember[] Members => Volatile.Read(ref _members);

    /// <summary>Taken for every change of the member list; subclasses may order their own work by it.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Adds a member; false when the room has just been retired (its last member left).</summary>
    public bool TryAdd(TMember member)
    {
        lock (Gate)
        {
            if (_retired)
            {
                return false;
            }

            var members = _members;
            var grown = new TMember[members.Length + 1];
            members.CopyTo(grown, 0);
            grown[^1] = member;
            Volatile.Write(ref _members, grown);
            return true;
        }
    }

    /// <summary>Removes a member; true when that left the room empty and retired it.</summary>
    public bool Remove(TMember member)
    {
        lock (Gate)
        {
            var members = _members;
            var index = Array.IndexOf(members, member);
            if (index < 0)
            {
                return false;
            }

            var shrunk = new TMember[members.Length - 1];
            Array.Copy(members, 0, shrunk, 0, index);
            Array.Copy(members, index + 1, shrunk, index, members.Length - index - 1);
            Volatile.Write(ref _members, shrunk);
            _retired = shrunk.Length == 0;
            return _retired;
        }
    }
}

/// <summary>
/// The process-local map of room id to members (the seed's design: rooms are not shared between
/// processes). A room lives from its first join to its last leave, so idle rooms cost nothing.
/// </summary>
internal sealed class RoomRegistry<TRoom, TMember>(Func<string, TRoom> createRoom)
    where TRoom : Room<TMember>
    where TMember : class
{
    private readonly ConcurrentDictionary<string, TRoom> _rooms = new(StringComparer.Ordinal);

    public TRoom Join(string roomId, TMember member)
    {
        while (true)
        {
            var room = _rooms.GetOrAdd(roomId, createRoom);
            if (room.TryAdd(member))
            {
                return room;
            }

            // The room was retired between lookup and join; make sure it is gone and go again.
            _rooms.TryRemove(KeyValuePair.Create(roomId, room));
        }
    }

    public void Leave(TRoom room, TMember member)
    {
        if (room.Remove(member))
        {
            _rooms.TryRemove(KeyValuePair.Create(room.Id, room));
        }
    }
}
