// ConnectionTable: the shared-memory connection table. Multi-process tests fork children
// that use the inherited mapping, report through a pipe and leave with _exit(); every loop
// is bounded in iterations and wall time, and every child arms alarm() as a last resort.
#include "core/server/connection_table.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

using namespace wsserver;

namespace {

using Clock = std::chrono::steady_clock;

ConnectionTable make_table(uint32_t capacity, SessionId first_id = 1) {
    ConnectionTable::Options options;
    options.capacity = capacity;
    options.first_id = first_id;
    auto table = ConnectionTable::create(options);
    if (!table) ADD_FAILURE() << table.error().message;
    return std::move(*table);
}

ConnectionInfo info_for_worker(int32_t worker, int64_t uid = 0) {
    ConnectionInfo info;
    info.worker_id = worker;
    info.reactor_id = worker;
    info.uid = uid;
    return info;
}

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
    Pipe() {
        int fds[2];
        if (pipe(fds) != 0) {
            ADD_FAILURE() << "pipe: " << std::strerror(errno);
            return;
        }
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
};

bool write_all(int fd, const void *data, size_t len) {
    auto *p = static_cast<const char *>(data);
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

// Everything until EOF (all writers closed). Children are time-bounded, so EOF comes.
std::vector<uint64_t> read_words(int fd) {
    std::string bytes;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        bytes.append(buf, static_cast<size_t>(n));
    }
    std::vector<uint64_t> out(bytes.size() / sizeof(uint64_t));
    std::memcpy(out.data(), bytes.data(), out.size() * sizeof(uint64_t));
    return out;
}

// Forks a child running `body` (its return value is the exit code). The child never returns
// into GoogleTest: it leaves with _exit, so no atexit handlers or destructors run twice.
pid_t spawn(const std::function<int()> &body) {
    pid_t pid = fork();
    if (pid == 0) {
        alarm(30);  // a hung child dies instead of hanging the test run
        _exit(body());
    }
    return pid;
}

// The child's exit code, or -1 if it did not exit normally.
int wait_child(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A snapshot written by the seqlock tests: every field derived from one counter `i`, so a
// torn read shows up as fields that disagree.
void fill_pattern(ConnectionInfo &info, uint64_t i) {
    info.uid = static_cast<int64_t>(i);
    info.last_recv_time_us = static_cast<int64_t>(i * 3);
    info.recv_queued_bytes = ~i;
    info.send_queued_bytes = i ^ 0x5555;
    info.close_code = static_cast<uint16_t>(i & 0xffff);
    std::memset(info.remote_addr, static_cast<int>(i & 0xff), sizeof info.remote_addr);
    info.remote_port = static_cast<uint16_t>(i * 7);
}

bool pattern_consistent(const ConnectionInfo &info) {
    auto i = static_cast<uint64_t>(info.uid);
    if (info.last_recv_time_us != static_cast<int64_t>(i * 3)) return false;
    if (info.recv_queued_bytes != ~i || info.send_queued_bytes != (i ^ 0x5555)) return false;
    if (info.close_code != static_cast<uint16_t>(i & 0xffff)) return false;
    if (info.remote_port != static_cast<uint16_t>(i * 7)) return false;
    for (uint8_t b : info.remote_addr) {
        if (b != static_cast<uint8_t>(i & 0xff)) return false;
    }
    return true;
}

}  // namespace

TEST(ConnectionTable, SlotSizeAndMapping) {
    EXPECT_EQ(sizeof(ConnectionInfo), 112u);
    EXPECT_EQ(ConnectionTable::slot_size(), 128u);
    size_t bytes = ConnectionTable::mapping_size(100000);
    EXPECT_GE(bytes, 100000u * 128u);
    EXPECT_LT(bytes, 100000u * 128u + 4096u);
    uint32_t def = ConnectionTable::default_capacity();
    EXPECT_GE(def, 1u);
    EXPECT_LE(def, 100000u);
}

TEST(ConnectionTable, CreateRejectsBadOptions) {
    ConnectionTable::Options options;
    options.capacity = ConnectionTable::kMaxCapacity + 1;
    auto too_big = ConnectionTable::create(options);
    ASSERT_FALSE(too_big);
    EXPECT_EQ(too_big.error().code, EINVAL);
    options.capacity = 8;
    options.first_id = 0;
    auto zero_id = ConnectionTable::create(options);
    ASSERT_FALSE(zero_id);
    EXPECT_EQ(zero_id.error().code, EINVAL);
    options.capacity = 0;  // default_capacity()
    options.first_id = 1;
    auto def = ConnectionTable::create(options);
    ASSERT_TRUE(def) << def.error().message;
    EXPECT_EQ(def->capacity(), ConnectionTable::default_capacity());
}

TEST(ConnectionTable, AllocateGetRelease) {
    ConnectionTable table = make_table(16);
    ConnectionInfo info = info_for_worker(2, 77);
    info.session_id = 999;  // ignored
    info.server_fd = 5;
    info.socket_fd = 12;
    info.server_port = 9501;
    info.socket_type = 1;
    info.connect_time_us = 1700000000123456;
    info.websocket_status = websocket_status::kConnection;
    auto id = table.allocate(info);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(*id, 1u);
    EXPECT_TRUE(table.exists(*id));
    EXPECT_FALSE(table.exists(0));
    EXPECT_FALSE(table.exists(2));
    EXPECT_EQ(table.count(), 1u);

    ConnectionInfo got;
    ASSERT_EQ(table.get(*id, got), SlotStatus::kOk);
    EXPECT_EQ(got.session_id, *id);
    EXPECT_EQ(got.worker_id, 2);
    EXPECT_EQ(got.reactor_id, 2);
    EXPECT_EQ(got.uid, 77);
    EXPECT_EQ(got.server_fd, 5);
    EXPECT_EQ(got.socket_fd, 12);
    EXPECT_EQ(got.server_port, 9501);
    EXPECT_EQ(got.socket_type, 1);
    EXPECT_EQ(got.connect_time_us, 1700000000123456);
    EXPECT_EQ(got.websocket_status, websocket_status::kConnection);
    EXPECT_FALSE(got.established());

    EXPECT_EQ(table.release(*id), SlotStatus::kOk);
    EXPECT_FALSE(table.exists(*id));
    EXPECT_EQ(table.get(*id, got), SlotStatus::kNotFound);
    EXPECT_EQ(table.release(*id), SlotStatus::kNotFound);  // double release is harmless
    EXPECT_EQ(table.release(0), SlotStatus::kNotFound);
    EXPECT_EQ(table.count(), 0u);
}

TEST(ConnectionTable, IdsIncreaseFromFirstIdAndAreNeverReused) {
    ConnectionTable table = make_table(4, 1000);
    std::vector<SessionId> ids;
    for (int round = 0; round < 50; round++) {
        auto id = table.allocate(info_for_worker(0));
        ASSERT_TRUE(id) << id.error().message;
        if (!ids.empty()) {
            EXPECT_GT(*id, ids.back());
        }
        ids.push_back(*id);
        if (round >= 2) {  // keep 3 of 4 slots live, slots reused every 4 ids
            ASSERT_EQ(table.release(ids[ids.size() - 3]), SlotStatus::kOk);
        }
    }
    EXPECT_EQ(ids.front(), 1000u);
    EXPECT_EQ(ids.back(), 1049u);  // FIFO release: each draw finds its slot free, no gaps
    EXPECT_EQ(std::set<SessionId>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(ConnectionTable, SkipsIdsWhoseSlotIsTaken) {
    ConnectionTable table = make_table(4);
    std::vector<SessionId> ids;
    for (int i = 0; i < 4; i++) ids.push_back(*table.allocate(info_for_worker(0)));
    EXPECT_EQ(ids, (std::vector<SessionId>{1, 2, 3, 4}));  // slots 1, 2, 3, 0
    ASSERT_EQ(table.release(2), SlotStatus::kOk);          // frees slot 2
    // Id 5 maps to slot 1 (held by session 1): skipped for good. Id 6 gets slot 2.
    auto id = table.allocate(info_for_worker(0));
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, 6u);
    EXPECT_FALSE(table.exists(5));
    EXPECT_EQ(table.stats().last_id, 6u);
}

TEST(ConnectionTable, StaleIdNeverSeesTheSlotsNewSession) {
    ConnectionTable table = make_table(1);  // every session uses slot 0
    SessionId old_id = *table.allocate(info_for_worker(1, 111));
    ASSERT_EQ(table.release(old_id), SlotStatus::kOk);
    SessionId new_id = *table.allocate(info_for_worker(2, 222));
    ASSERT_NE(new_id, old_id);

    ConnectionInfo got;
    EXPECT_EQ(table.get(old_id, got), SlotStatus::kNotFound);
    EXPECT_FALSE(table.exists(old_id));
    EXPECT_EQ(table.update(old_id, [](ConnectionInfo &i) { i.uid = -1; }), SlotStatus::kNotFound);
    EXPECT_EQ(table.release(old_id), SlotStatus::kNotFound);
    // The new session was not touched by the stale calls.
    ASSERT_EQ(table.get(new_id, got), SlotStatus::kOk);
    EXPECT_EQ(got.uid, 222);
    EXPECT_EQ(got.worker_id, 2);
    EXPECT_EQ(table.count(), 1u);
}

TEST(ConnectionTable, CapacityExhaustionIsAClearError) {
    ConnectionTable table = make_table(3);
    std::vector<SessionId> ids;
    for (int i = 0; i < 3; i++) {
        auto id = table.allocate(info_for_worker(0));
        ASSERT_TRUE(id) << id.error().message;
        ids.push_back(*id);
    }
    auto full = table.allocate(info_for_worker(0));
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, ENOSPC);
    EXPECT_NE(full.error().message.find("connection table full"), std::string::npos) << full.error().message;
    EXPECT_NE(full.error().message.find("max_connection=3"), std::string::npos) << full.error().message;
    EXPECT_EQ(table.count(), 3u);
    EXPECT_EQ(table.stats().accept_count, 3u);

    ASSERT_EQ(table.release(ids[1]), SlotStatus::kOk);
    auto again = table.allocate(info_for_worker(0));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_GT(*again, ids.back());
}

TEST(ConnectionTable, UpdateEditsFieldsButNotTheId) {
    ConnectionTable table = make_table(8);
    SessionId id = *table.allocate(info_for_worker(0));
    auto status = table.update(id, [](ConnectionInfo &info) {
        info.session_id = 12345;  // ignored
        info.websocket_status = websocket_status::kActive;
        info.flags |= kConnEstablished;
        info.uid = 42;
        info.last_recv_time_us = 5;
        info.close_code = 1001;
    });
    ASSERT_EQ(status, SlotStatus::kOk);
    EXPECT_FALSE(table.exists(12345));
    ConnectionInfo got;
    ASSERT_EQ(table.get(id, got), SlotStatus::kOk);
    EXPECT_EQ(got.session_id, id);
    EXPECT_EQ(got.websocket_status, websocket_status::kActive);
    EXPECT_TRUE(got.established());
    EXPECT_FALSE(got.closing());
    EXPECT_EQ(got.uid, 42);
    EXPECT_EQ(got.close_code, 1001);
    EXPECT_EQ(table.update(0, [](ConnectionInfo &) {}), SlotStatus::kNotFound);
}

TEST(ConnectionTable, RemoteAddressIsStoredBinary) {
    ConnectionInfo info;
    EXPECT_EQ(info.remote_ip(), "");

    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(40001);
    ASSERT_EQ(inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr), 1);
    ASSERT_TRUE(info.set_remote(reinterpret_cast<sockaddr *>(&v4), sizeof v4));
    EXPECT_EQ(info.remote_family, AF_INET);
    EXPECT_EQ(info.remote_port, 40001);
    EXPECT_EQ(info.remote_ip(), "192.0.2.7");

    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(443);
    ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr), 1);
    ASSERT_TRUE(info.set_remote(reinterpret_cast<sockaddr *>(&v6), sizeof v6));
    EXPECT_EQ(info.remote_family, AF_INET6);
    EXPECT_EQ(info.remote_port, 443);
    EXPECT_EQ(info.remote_ip(), "2001:db8::1");

    sockaddr unix_like{};
    unix_like.sa_family = AF_UNIX;
    EXPECT_FALSE(info.set_remote(&unix_like, sizeof unix_like));
    EXPECT_FALSE(info.set_remote(reinterpret_cast<sockaddr *>(&v4), 4));  // too short
    EXPECT_EQ(info.remote_ip(), "2001:db8::1");                           // unchanged

    // And through the table.
    ConnectionTable table = make_table(4);
    SessionId id = *table.allocate(info);
    ConnectionInfo got;
    ASSERT_EQ(table.get(id, got), SlotStatus::kOk);
    EXPECT_EQ(got.remote_ip(), "2001:db8::1");
    EXPECT_EQ(got.remote_port, 443);
}

TEST(ConnectionTable, ListIsAscendingAndPaginates) {
    ConnectionTable table = make_table(8);
    // Churn so ids wrap around the slots: slot order is no longer id order.
    std::set<SessionId> live;
    for (int i = 0; i < 30; i++) {
        auto id = table.allocate(info_for_worker(i % 3));
        ASSERT_TRUE(id) << id.error().message;
        live.insert(*id);
        if (live.size() > 6) {
            // Free the second-oldest and a middle one, keeping a long-lived oldest session.
            auto it = std::next(live.begin());
            ASSERT_EQ(table.release(*it), SlotStatus::kOk);
            live.erase(it);
        }
    }
    std::vector<SessionId> expected(live.begin(), live.end());
    EXPECT_EQ(table.list(0, SIZE_MAX), expected);
    EXPECT_EQ(table.list(0, 0), std::vector<SessionId>{});
    EXPECT_EQ(table.list(expected.back(), 10), std::vector<SessionId>{});

    // getClientList-style paging: 4 at a time, each page starting after the last id seen.
    std::vector<SessionId> paged;
    SessionId after = 0;
    for (int page = 0; page < 10; page++) {
        auto ids = table.list(after, 4);
        if (ids.empty()) break;
        EXPECT_LE(ids.size(), 4u);
        EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
        paged.insert(paged.end(), ids.begin(), ids.end());
        after = ids.back();
    }
    EXPECT_EQ(paged, expected);

    // Starting in the middle.
    auto tail = table.list(expected[2], SIZE_MAX);
    EXPECT_EQ(tail, std::vector<SessionId>(expected.begin() + 3, expected.end()));

    // Established-only: mark two sessions established, one of them closing.
    ASSERT_EQ(table.update(expected[1], [](ConnectionInfo &i) { i.flags = kConnEstablished; }), SlotStatus::kOk);
    ASSERT_EQ(table.update(expected[3], [](ConnectionInfo &i) { i.flags = kConnEstablished; }), SlotStatus::kOk);
    ASSERT_EQ(table.update(expected[4], [](ConnectionInfo &i) { i.flags = kConnEstablished | kConnClosing; }),
              SlotStatus::kOk);
    EXPECT_EQ(table.list(0, SIZE_MAX, true), (std::vector<SessionId>{expected[1], expected[3]}));
    EXPECT_EQ(table.list(expected[1], 1, true), std::vector<SessionId>{expected[3]});

    // A released session disappears from listings at once.
    ASSERT_EQ(table.release(expected[0]), SlotStatus::kOk);
    EXPECT_EQ(table.list(0, SIZE_MAX), std::vector<SessionId>(expected.begin() + 1, expected.end()));
}

TEST(ConnectionTable, Counters) {
    ConnectionTable table = make_table(16);
    ConnectionTableStats empty = table.stats();
    EXPECT_EQ(empty.capacity, 16u);
    EXPECT_EQ(empty.connection_num, 0u);
    EXPECT_EQ(empty.last_id, 0u);
    EXPECT_GT(empty.min_slot, empty.max_slot);  // nothing used yet
    EXPECT_EQ(table.list(0, SIZE_MAX), std::vector<SessionId>{});

    std::vector<SessionId> ids;
    for (int i = 0; i < 5; i++) ids.push_back(*table.allocate(info_for_worker(0)));
    ASSERT_EQ(table.release(ids[0]), SlotStatus::kOk);
    ASSERT_EQ(table.release(ids[3]), SlotStatus::kOk);
    ConnectionTableStats s = table.stats();
    EXPECT_EQ(s.connection_num, 3u);
    EXPECT_EQ(table.count(), 3u);
    EXPECT_EQ(s.accept_count, 5u);
    EXPECT_EQ(s.close_count, 2u);
    EXPECT_EQ(s.last_id, 5u);
    EXPECT_EQ(s.min_slot, 1u);  // ids 1..5 used slots 1..5
    EXPECT_EQ(s.max_slot, 5u);
}

TEST(ConnectionTable, ReleaseOwnedByFreesOneWorkersSessions) {
    ConnectionTable table = make_table(32);
    std::vector<SessionId> ids;
    for (int i = 0; i < 12; i++) ids.push_back(*table.allocate(info_for_worker(i % 3)));
    EXPECT_EQ(table.release_owned_by(1), 4u);
    EXPECT_EQ(table.count(), 8u);
    for (size_t i = 0; i < ids.size(); i++) {
        EXPECT_EQ(table.exists(ids[i]), i % 3 != 1) << i;
    }
    EXPECT_EQ(table.release_owned_by(1), 0u);
    EXPECT_EQ(table.stats().close_count, 4u);
}

TEST(ConnectionTable, MoveTransfersTheMapping) {
    ConnectionTable a = make_table(4);
    SessionId id = *a.allocate(info_for_worker(3));
    ConnectionTable b = std::move(a);
    EXPECT_TRUE(b.exists(id));
    ConnectionTable c = make_table(2);
    c = std::move(b);
    EXPECT_EQ(c.capacity(), 4u);
    EXPECT_TRUE(c.exists(id));
}

// Children allocate concurrently from the inherited mapping; ids must be unique across
// processes and increasing within each process.
TEST(ConnectionTable, IdsUniqueAcrossProcesses) {
    constexpr int kChildren = 4;
    constexpr int kPerChild = 3000;
    ConnectionTable table = make_table(64);  // small: heavy slot reuse and id skipping
    std::vector<Pipe> pipes(kChildren);
    std::vector<pid_t> pids;
    for (int c = 0; c < kChildren; c++) {
        int out = pipes[c].write_end.get();
        pids.push_back(spawn([&table, out, c]() {
            auto deadline = Clock::now() + std::chrono::seconds(10);
            std::vector<SessionId> held;
            for (int i = 0; i < kPerChild && Clock::now() < deadline; i++) {
                auto id = table.allocate(info_for_worker(c, i));
                if (!id) return 2;
                uint64_t word = *id;
                if (!write_all(out, &word, sizeof word)) return 3;
                ConnectionInfo got;
                if (table.get(*id, got) != SlotStatus::kOk || got.worker_id != c || got.uid != i) return 4;
                held.push_back(*id);
                if (held.size() > 8) {  // keep at most 8 live: 4 * 9 < 64 slots
                    if (table.release(held.front()) != SlotStatus::kOk) return 5;
                    held.erase(held.begin());
                }
            }
            for (SessionId id : held) {
                if (table.release(id) != SlotStatus::kOk) return 6;
            }
            return 0;
        }));
        ASSERT_GT(pids.back(), 0);
    }
    for (auto &p : pipes) p.write_end.reset();

    std::set<SessionId> all;
    size_t total = 0;
    for (int c = 0; c < kChildren; c++) {
        std::vector<uint64_t> ids = read_words(pipes[c].read_end.get());
        EXPECT_EQ(ids.size(), static_cast<size_t>(kPerChild)) << "child " << c;
        EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << "child " << c;
        EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "child " << c;
        all.insert(ids.begin(), ids.end());
        total += ids.size();
    }
    for (int c = 0; c < kChildren; c++) {
        EXPECT_EQ(wait_child(pids[c]), 0) << "child " << c;
    }
    EXPECT_EQ(all.size(), total);  // no id handed to two processes
    EXPECT_GE(*all.begin(), 1u);
    ConnectionTableStats s = table.stats();
    EXPECT_EQ(s.accept_count, total);
    EXPECT_EQ(s.close_count, total);
    EXPECT_EQ(s.connection_num, 0u);
    EXPECT_GE(s.last_id, *all.rbegin());
    EXPECT_EQ(table.list(0, SIZE_MAX), std::vector<SessionId>{});
}

// Every live session is visible to every process, with its owner.
TEST(ConnectionTable, OtherProcessesSeeSessionsAndOwners) {
    ConnectionTable table = make_table(16);
    SessionId parent_id = *table.allocate(info_for_worker(0, 10));
    Pipe pipe;
    int out = pipe.write_end.get();
    pid_t pid = spawn([&table, out, parent_id]() {
        ConnectionInfo got;
        if (table.get(parent_id, got) != SlotStatus::kOk || got.worker_id != 0 || got.uid != 10) return 2;
        auto id = table.allocate(info_for_worker(1, 20));
        if (!id) return 3;
        if (table.update(parent_id, [](ConnectionInfo &i) { i.websocket_status = websocket_status::kClosing; }) !=
            SlotStatus::kOk) {
            return 4;
        }
        uint64_t word = *id;
        return write_all(out, &word, sizeof word) ? 0 : 5;
    });
    ASSERT_GT(pid, 0);
    pipe.write_end.reset();
    std::vector<uint64_t> ids = read_words(pipe.read_end.get());
    ASSERT_EQ(wait_child(pid), 0);
    ASSERT_EQ(ids.size(), 1u);
    ConnectionInfo got;
    ASSERT_EQ(table.get(ids[0], got), SlotStatus::kOk);
    EXPECT_EQ(got.worker_id, 1);  // the owner a push would be forwarded to
    EXPECT_EQ(got.uid, 20);
    ASSERT_EQ(table.get(parent_id, got), SlotStatus::kOk);
    EXPECT_EQ(got.websocket_status, websocket_status::kClosing);
    EXPECT_EQ(table.list(0, SIZE_MAX), (std::vector<SessionId>{parent_id, static_cast<SessionId>(ids[0])}));
    EXPECT_EQ(table.count(), 2u);
}

// Seqlock: the parent rewrites every field from one counter; a reader child checks that
// each snapshot it gets is internally consistent.
TEST(ConnectionTable, ReaderInChildSeesConsistentSnapshots) {
    // The writer runs for at least kMinWrite (so the forked reader overlaps it) and at most
    // kMaxWrite, then stores kFinal, which tells the reader to stop.
    constexpr uint64_t kFinal = uint64_t{1} << 40;
    constexpr auto kMinWrite = std::chrono::milliseconds(300);
    constexpr auto kMaxWrite = std::chrono::seconds(3);
    constexpr uint64_t kMaxWrites = 50000000;
    ConnectionTable table = make_table(4);
    SessionId id = *table.allocate(ConnectionInfo{});
    ASSERT_EQ(table.update(id, [](ConnectionInfo &i) { fill_pattern(i, 0); }), SlotStatus::kOk);

    Pipe pipe;
    int out = pipe.write_end.get();
    pid_t pid = spawn([&table, out, id]() {
        // Reports: reads, torn reads, busy answers, value changes seen, last value seen.
        uint64_t reads = 0, torn = 0, busy = 0, changes = 0, last = 0;
        auto deadline = Clock::now() + std::chrono::seconds(10);
        while (reads < kMaxWrites && Clock::now() < deadline) {
            ConnectionInfo got;
            SlotStatus s = table.get(id, got);
            if (s == SlotStatus::kBusy) {
                busy++;
                continue;
            }
            if (s != SlotStatus::kOk) return 2;
            reads++;
            if (!pattern_consistent(got)) torn++;
            auto v = static_cast<uint64_t>(got.uid);
            if (v != last) changes++;
            last = v;
            if (v == kFinal) break;
        }
        uint64_t report[5] = {reads, torn, busy, changes, last};
        return write_all(out, report, sizeof report) ? 0 : 3;
    });
    ASSERT_GT(pid, 0);
    pipe.write_end.reset();

    auto start = Clock::now();
    uint64_t i = 1;
    for (; i < kMaxWrites; i++) {
        auto elapsed = Clock::now() - start;
        if (elapsed >= kMaxWrite || (elapsed >= kMinWrite && i > 10000)) break;
        ASSERT_EQ(table.update(id, [i](ConnectionInfo &info) { fill_pattern(info, i); }), SlotStatus::kOk);
        // A server writes a slot once per socket event, never back to back: leave readers
        // a ~1 us window every 8 writes, else they mostly see odd or changed sequences.
        if (i % 8 == 0) {
            auto until = Clock::now() + std::chrono::microseconds(1);
            while (Clock::now() < until) {
            }
        }
    }
    ASSERT_EQ(table.update(id, [](ConnectionInfo &info) { fill_pattern(info, kFinal); }), SlotStatus::kOk);

    std::vector<uint64_t> report = read_words(pipe.read_end.get());
    ASSERT_EQ(wait_child(pid), 0);
    ASSERT_EQ(report.size(), 5u);
    RecordProperty("writes", std::to_string(i));
    RecordProperty("reads", std::to_string(report[0]));
    RecordProperty("busy", std::to_string(report[2]));
    RecordProperty("changes_seen", std::to_string(report[3]));
    EXPECT_GT(report[0], 0u) << "reads";
    EXPECT_EQ(report[1], 0u) << "torn reads out of " << report[0];
    EXPECT_EQ(report[4], kFinal) << "the reader saw the final value";
    // 0 -> some i -> kFinal: at least one intermediate value means reads overlapped writes.
    EXPECT_GE(report[3], 2u) << "the reader overlapped the writer";
    ConnectionInfo final_info;
    ASSERT_EQ(table.get(id, final_info), SlotStatus::kOk);
    EXPECT_TRUE(pattern_consistent(final_info));
}

// The other direction, plus slot reuse: a writer child churns one slot (capacity 1) through
// allocate/update/release; the parent reads ids it learned and must never get a snapshot of
// another session (uid == id always), nor a torn one.
TEST(ConnectionTable, WriterChildChurnNeverLeaksAnotherSessionsData) {
    ConnectionTable table = make_table(1);
    Pipe pipe;
    int out = pipe.write_end.get();
    pid_t pid = spawn([&table, out]() {
        auto deadline = Clock::now() + std::chrono::seconds(3);
        for (int round = 0; round < 200000 && Clock::now() < deadline; round++) {
            ConnectionInfo init;
            auto id = table.allocate(init);
            if (!id) return 2;
            for (int k = 0; k < 4; k++) {
                auto s = table.update(*id, [&](ConnectionInfo &info) {
                    fill_pattern(info, *id);
                });
                if (s != SlotStatus::kOk) return 3;
            }
            if (table.release(*id) != SlotStatus::kOk) return 4;
        }
        uint64_t done = 1;
        return write_all(out, &done, sizeof done) ? 0 : 5;
    });
    ASSERT_GT(pid, 0);
    pipe.write_end.reset();

    uint64_t ok = 0, not_found = 0, busy = 0, wrong = 0;
    auto deadline = Clock::now() + std::chrono::seconds(10);
    auto writer_done = [&pipe]() {
        pollfd pfd{pipe.read_end.get(), POLLIN, 0};
        return poll(&pfd, 1, 0) != 0;  // data, EOF or error: the writer has finished
    };
    while (Clock::now() < deadline && !writer_done()) {
        // Ask for the newest id and an older, certainly stale one.
        SessionId newest = table.stats().last_id;
        for (SessionId want : {newest, newest > 3 ? newest - 3 : SessionId{1}}) {
            if (want == 0) continue;
            ConnectionInfo got;
            switch (table.get(want, got)) {
                case SlotStatus::kOk:
                    ok++;
                    if (got.session_id != want) wrong++;
                    // Until the first update the pattern is all zero; after it uid == id.
                    if (got.uid != 0 && (static_cast<SessionId>(got.uid) != want || !pattern_consistent(got))) {
                        wrong++;
                    }
                    break;
                case SlotStatus::kNotFound: not_found++; break;
                case SlotStatus::kBusy: busy++; break;
            }
        }
    }
    std::vector<uint64_t> done = read_words(pipe.read_end.get());
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_EQ(done, std::vector<uint64_t>{1}) << "writer child failed";
    RecordProperty("ok", std::to_string(ok));
    RecordProperty("not_found", std::to_string(not_found));
    RecordProperty("busy", std::to_string(busy));
    EXPECT_EQ(wrong, 0u) << "ok=" << ok << " not_found=" << not_found << " busy=" << busy;
    EXPECT_GT(ok + not_found, 0u);
    EXPECT_EQ(table.count(), 0u);
}

// PHP passes any integer as $fd: zero and negative ids are simply not found.
TEST(ConnectionTable, ZeroAndNegativeIdsAreNotFound) {
    Result<ConnectionTable> created = ConnectionTable::create({8, 1});
    ASSERT_TRUE(created.ok()) << created.error().message;
    ConnectionTable &table = created.value();
    Result<SessionId> id = table.allocate(ConnectionInfo{});
    ASSERT_TRUE(id.ok());
    for (SessionId bad : {SessionId{0}, SessionId{-1}, -id.value(), SessionId{INT64_MIN}}) {
        ConnectionInfo info;
        EXPECT_FALSE(table.exists(bad)) << bad;
        EXPECT_EQ(table.get(bad, info), SlotStatus::kNotFound) << bad;
        EXPECT_EQ(table.update(bad, [](ConnectionInfo &) {}), SlotStatus::kNotFound) << bad;
        EXPECT_EQ(table.release(bad), SlotStatus::kNotFound) << bad;
    }
    EXPECT_TRUE(table.exists(id.value()));
}
