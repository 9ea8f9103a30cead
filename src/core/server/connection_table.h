// The server-wide connection table: one anonymous shared mapping, created before fork and
// inherited by every worker, so getClientInfo($fd), exist($fd), isEstablished($fd),
// $server->connections, getClientList() and stats() see every connection from any process,
// and a push to a connection owned by another worker can find its owner.
//
// Session ids ($fd in PHP) are positive, unique and increasing for the life of the table,
// never reused (a shared 64-bit counter, fetch_add from any process). A session lives in
// slot `id % capacity`: allocation draws ids until it draws one whose slot is free, so ids
// may have gaps (an id whose slot was taken by a long-lived connection is skipped for good),
// and lookup is one slot, no probing. Every slot stores the id it holds; a lookup compares
// it, so a stale id of a closed connection finds either an empty slot or a newer session's
// id (same slot, id + k*capacity) and answers "not found", never the newer session's data.
//
// Concurrency: every slot is a sequence lock (seqlock). Writers (allocate, update, release)
// take it by moving the sequence from even to odd with a CAS, store the fields, and make it
// even again; readers in any process copy the fields and retry while the sequence was odd or
// changed, so they get a consistent snapshot or, after a bounded number of retries, kBusy.
// Slot claims go through a separate per-slot state word (CAS free -> used), the live count is
// reserved with a CAS before probing, so everything is lock-free: a process that dies
// mid-operation can leave at most its own slot busy, never a table-wide lock held.
//
// Every field lives in lock-free std::atomic words (checked by static_assert): such atomics
// are address-free, so they work between processes sharing the mapping.
#pragma once

#include "core/ipc/session_id.h"

#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/ipc/session_info.h"
#include "core/net/syscall.h"

namespace wsserver {


// ConnectionInfo::flags bits.
enum ConnectionFlags : uint8_t {
    kConnEstablished = 1,  // handshake done (TCP accept for a plain server, 101 for WebSocket)
    kConnClosing = 2,      // close started (close frame sent or received, or close() called)
};

// One connection as every process sees it. Plain data (trivially copyable): readers get a
// copy. Times are microseconds since the Unix epoch (CLOCK_REALTIME), 0 when not yet set.
struct ConnectionInfo {
    SessionId session_id = 0;  // set by ConnectionTable::allocate(); 0 = free slot
    int64_t uid = 0;           // Server::bind($fd, $uid)
    int64_t connect_time_us = 0;
    int64_t last_recv_time_us = 0;
    int64_t last_send_time_us = 0;
    int64_t last_dispatch_time_us = 0;
    uint64_t recv_queued_bytes = 0;
    uint64_t send_queued_bytes = 0;
    int32_t worker_id = -1;   // owning worker: a push from elsewhere is forwarded there
    int32_t reactor_id = -1;  // reactor (thread or worker) that owns the socket
    int32_t server_fd = -1;   // the listening socket it was accepted on
    int32_t socket_fd = -1;   // the descriptor in the owner process
    int32_t close_errno = 0;  // errno that ended the connection, 0 for a clean close
    uint16_t server_port = 0;
    uint16_t remote_port = 0;
    uint8_t remote_addr[16] = {};  // network order: 4 bytes for IPv4, 16 for IPv6
    uint16_t socket_type = 0;      // SWOOLE_SOCK_TCP (1), SWOOLE_SOCK_TCP6 (3), ...
    uint16_t close_code = 0;       // the peer's close code once known (1006: abnormal), else 0
    uint8_t remote_family = 0;     // AF_INET, AF_INET6, or 0 when unknown
    uint8_t websocket_status = websocket_status::kNone;  // Swoole's WEBSOCKET_STATUS_*
    uint8_t flags = 0;             // ConnectionFlags
    // No close reason here: it is read in onClose, by the owner, from its own session; a
    // 123-byte field would double the slot (and the shared memory each connection costs).

    bool established() const { return (flags & kConnEstablished) != 0; }
    bool closing() const { return (flags & kConnClosing) != 0; }

    // From what accept4()/getpeername() filled in; false (nothing changed) for a non-IP family.
    bool set_remote(const sockaddr *sa, socklen_t len);
    // "127.0.0.1", "::1"; empty when no address is stored.
    std::string remote_ip() const;
};

// Result of reading or changing one session.
enum class SlotStatus {
    kOk,
    kNotFound,  // no such session (never allocated, or closed: the id is stale)
    kBusy,      // a writer held the slot for the whole retry budget; try again later
};

struct ConnectionTableStats {
    uint32_t capacity = 0;
    uint64_t connection_num = 0;  // live sessions right now
    uint64_t accept_count = 0;    // successful allocate() calls since creation
    uint64_t close_count = 0;     // successful release() calls since creation
    SessionId last_id = 0;        // the highest id handed out or skipped so far (0: none)
    // Every slot ever used lies in [min_slot, max_slot]; empty table: min_slot > max_slot.
    uint32_t min_slot = 0;
    uint32_t max_slot = 0;
};

class ConnectionTable {
public:
    struct Options {
        uint32_t capacity = 0;    // max_connection; 0: default_capacity()
        SessionId first_id = 1;   // Swoole's start_session_id; must be >= 1
    };

    // Swoole's default max_connection: min(100000, soft RLIMIT_NOFILE).
    static uint32_t default_capacity();
    static constexpr uint32_t kMaxCapacity = 1u << 24;

    // Maps the table (zero-filled; pages are only backed once touched). Create it before
    // fork(): children inherit the mapping, and with it every other process's connections.
    static Result<ConnectionTable> create(const Options &options);

    ConnectionTable(ConnectionTable &&other) noexcept;
    ConnectionTable &operator=(ConnectionTable &&other) noexcept;
    ConnectionTable(const ConnectionTable &) = delete;
    ConnectionTable &operator=(const ConnectionTable &) = delete;
    ~ConnectionTable();  // unmaps this process's view; other processes keep theirs

    uint32_t capacity() const { return capacity_; }
    // Bytes per slot (128: the 112-byte ConnectionInfo plus the seqlock and claim words,
    // aligned to a cache line) and bytes mapped for `capacity` slots.
    static size_t slot_size();
    static size_t mapping_size(uint32_t capacity);

    // Registers a new connection with `info` (its session_id is ignored) and returns the new
    // id. Errors: ENOSPC when `capacity` sessions are live ("connection table full"), EAGAIN
    // if no free slot turned up within the probe budget (only under heavy concurrent churn
    // near capacity) or the slot stayed write-locked.
    Result<SessionId> allocate(const ConnectionInfo &info);

    // Frees the session: it disappears from lookups and listings at once, its slot may be
    // reused by a later (higher) id. kNotFound if `id` is not live (double release is safe).
    SlotStatus release(SessionId id);

    // Consistent copy of the session. kNotFound for stale/unknown ids, kBusy after the
    // bounded retries if writers kept the slot locked.
    SlotStatus get(SessionId id, ConnectionInfo &out) const;

    // True while `id` is live. One atomic load, no retries.
    bool exists(SessionId id) const;

    // Changes one session under its write lock: `fn(ConnectionInfo &)` sees the current
    // values and edits them in place (it must be short and must not call into the table;
    // session_id is restored if it is touched). Only the process that owns the connection
    // should write it, but concurrent writers are serialised anyway.
    template <typename Fn>
    SlotStatus update(SessionId id, Fn &&fn);

    // Live ids greater than `after`, ascending, at most `max_count` (getClientList($start_fd,
    // $find_count); $server->connections pages through it). A walk over the used slots: a
    // session released before the walk reaches its slot is not listed; one allocated during
    // the walk may or may not be. With established_only, sessions without kConnEstablished
    // or with kConnClosing are skipped (WebSocket-only iteration). Cost: one atomic load
    // per slot in [min_slot, max_slot]. The PHP iterator should fetch pages (list(last, 64))
    // and check exists() before yielding, so a session closed after its page was fetched is
    // not yielded.
    std::vector<SessionId> list(SessionId after, size_t max_count, bool established_only = false) const;

    // Frees every session owned by `worker_id` (e.g. a worker that exited with its sockets).
    // Returns how many were freed.
    size_t release_owned_by(int32_t worker_id);

    ConnectionTableStats stats() const;
    // Live sessions (count($server->connections)); includes allocations under way.
    uint64_t count() const;

private:
    struct Header;
    struct Slot;

    ConnectionTable(void *base, size_t length, uint32_t capacity, SessionId first_id);

    Slot &slot_for(SessionId id) const;
    // Write lock of one slot: false if it stayed locked for the whole (bounded) spin.
    static bool lock_slot(Slot &slot);
    static void unlock_slot(Slot &slot);
    static void load_info(const Slot &slot, ConnectionInfo &out);
    static void store_info(Slot &slot, const ConnectionInfo &info);
    static SessionId stored_id(const Slot &slot);

    void *base_ = nullptr;
    size_t length_ = 0;
    uint32_t capacity_ = 0;
    Header *header_ = nullptr;
    Slot *slots_ = nullptr;
};

// ---- layout (in the header only so update() can be a template) ----

static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared-memory atomics must be lock-free");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared-memory atomics must be lock-free");
static_assert(std::is_trivially_copyable_v<ConnectionInfo>);
static_assert(sizeof(ConnectionInfo) % sizeof(uint64_t) == 0);

struct alignas(64) ConnectionTable::Slot {
    static constexpr size_t kWords = sizeof(ConnectionInfo) / sizeof(uint64_t);
    // No initialisers: the mapping is zero-filled, and all-zero is "free, unlocked, empty".
    std::atomic<uint32_t> seq;    // seqlock: odd while a writer holds the slot
    std::atomic<uint32_t> state;  // 0 free, 1 claimed (allocation only)
    std::atomic<uint64_t> words[kWords];  // the ConnectionInfo; words[0] is session_id
};

template <typename Fn>
SlotStatus ConnectionTable::update(SessionId id, Fn &&fn) {
    if (id <= 0) return SlotStatus::kNotFound;
    Slot &slot = slot_for(id);
    if (stored_id(slot) != id) return SlotStatus::kNotFound;
    if (!lock_slot(slot)) return SlotStatus::kBusy;
    ConnectionInfo info;
    load_info(slot, info);
    if (info.session_id != id) {  // released (and maybe reused) before we got the lock
        unlock_slot(slot);
        return SlotStatus::kNotFound;
    }
    fn(info);
    info.session_id = id;
    store_info(slot, info);
    unlock_slot(slot);
    return SlotStatus::kOk;
}

}  // namespace wsserver
