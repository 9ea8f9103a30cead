// SharedTable: Swoole's sizing rules, set/get/incr/del, collisions and a full table,
// iteration, and sharing across processes, including a writer SIGKILLed mid-write.
#include "core/table/shared_table.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>

#include "core/table/shared_atomic.h"

using namespace wsserver;

namespace {

std::vector<TableColumn> schema() {
    std::vector<TableColumn> cols(3);
    cols[0].name = "id";
    cols[0].type = TableColumn::Type::kInt;
    cols[1].name = "score";
    cols[1].type = TableColumn::Type::kFloat;
    cols[2].name = "name";
    cols[2].type = TableColumn::Type::kString;
    cols[2].capacity = SharedTable::string_capacity(10);
    return cols;
}

SharedTable make(uint32_t size = 64, double proportion = 0.2) {
    auto t = SharedTable::create(size, proportion, schema());
    EXPECT_TRUE(t);
    return std::move(*t);
}

void put(SharedTable &t, const std::string &key, int64_t id, const std::string &name) {
    TableValue a;
    a.column = t.column("id");
    a.int_value = id;
    TableValue b;
    b.column = t.column("name");
    b.string_value = name;
    ASSERT_EQ(t.set(key, {a, b}), SharedTable::SetResult::kOk);
}

}  // namespace

TEST(SharedTable, SwooleSizingRules) {
    EXPECT_EQ(SharedTable::round_size(0), 64u);
    EXPECT_EQ(SharedTable::round_size(65), 128u);
    EXPECT_EQ(SharedTable::round_size(1024), 1024u);
    EXPECT_EQ(SharedTable::round_size(int64_t(1) << 40), 0x80000000u);
    EXPECT_EQ(SharedTable::clamp_proportion(0.01), 0.2);
    EXPECT_EQ(SharedTable::clamp_proportion(3), 1.0);
    EXPECT_EQ(SharedTable::string_capacity(10), 16u);
    EXPECT_EQ(SharedTable::string_capacity(16), 16u);
    auto t = make(100, 0.5);
    EXPECT_EQ(t.size(), 128u);
    EXPECT_EQ(t.stats().total_slice_num, 64u);
    EXPECT_EQ(t.row_size(), 8u + 8u + 4u + 16u + 4u);  // 36 rounded up to 40
    EXPECT_EQ(t.memory_size(), SharedTable::memory_size(128, 0.5, schema()));
}

TEST(SharedTable, SetGetIncrDel) {
    auto t = make();
    put(t, "alice", 7, "Alice");
    std::string row;
    ASSERT_TRUE(t.get("alice", &row));
    EXPECT_EQ(SharedTable::read_int(row, *t.column("id")), 7);
    EXPECT_EQ(SharedTable::read_string(row, *t.column("name")), "Alice");
    EXPECT_EQ(SharedTable::read_float(row, *t.column("score")), 0.0);
    put(t, "alice", 8, "a much longer name than sixteen");
    ASSERT_TRUE(t.get("alice", &row));
    EXPECT_EQ(SharedTable::read_string(row, *t.column("name")), "a much longer na");
    int64_t n = 0;
    EXPECT_EQ(t.incr_int("alice", *t.column("id"), -10, &n), SharedTable::SetResult::kOk);
    EXPECT_EQ(n, -2);
    double f = 0;
    EXPECT_EQ(t.incr_float("bob", *t.column("score"), 1.5, &f), SharedTable::SetResult::kOk);
    EXPECT_EQ(f, 1.5);
    EXPECT_EQ(t.count(), 2);
    EXPECT_TRUE(t.exists("bob"));
    EXPECT_TRUE(t.del("bob"));
    EXPECT_FALSE(t.del("bob"));
    EXPECT_FALSE(t.exists("bob"));
    EXPECT_FALSE(t.get("bob", &row));
    EXPECT_EQ(t.count(), 1);
    auto st = t.stats();
    EXPECT_EQ(st.insert_count, 2u);
    EXPECT_EQ(st.delete_count, 1u);
    EXPECT_EQ(st.update_count, 2u);
    EXPECT_FALSE(t.exists(std::string(64, 'k')));  // keys are at most 63 bytes
    EXPECT_TRUE(t.exists("alice"));
}

TEST(SharedTable, AddUpdateCmpsetCmpdelGetdel) {
    auto t = make();
    TableValue id;
    id.column = t.column("id");
    id.int_value = 1;
    TableValue name;
    name.column = t.column("name");
    name.string_value = "one";
    using R = SharedTable::SetResult;
    EXPECT_EQ(t.update("k", {id}), R::kNotDone);
    EXPECT_EQ(t.add("k", {id, name}), R::kOk);
    EXPECT_EQ(t.add("k", {id}), R::kNotDone);
    id.int_value = 2;
    EXPECT_EQ(t.update("k", {id}), R::kOk);
    TableValue expect_id;
    expect_id.column = t.column("id");
    expect_id.int_value = 1;
    EXPECT_EQ(t.cmpset("k", {expect_id}, {name}), R::kNotDone);
    expect_id.int_value = 2;
    TableValue two = name;
    two.string_value = "two";
    EXPECT_EQ(t.cmpset("k", {expect_id, name}, {two}), R::kOk);
    EXPECT_FALSE(t.cmpdel("k", {name}));  // name is "two" now
    EXPECT_TRUE(t.cmpdel("k", {two}));
    EXPECT_FALSE(t.exists("k"));
    put(t, "g", 9, "gee");
    std::string row;
    EXPECT_TRUE(t.getdel("g", &row));
    EXPECT_EQ(SharedTable::read_int(row, *t.column("id")), 9);
    EXPECT_FALSE(t.getdel("g", &row));
    EXPECT_EQ(t.count(), 0);
}

TEST(SharedTable, FillsUpThenRefusesAndRecoversAfterDeletes) {
    auto t = make(64, 0.2);  // 64 root slots + 12 conflict slots
    std::vector<std::string> stored;
    for (int i = 0; i < 1000; ++i) {
        std::string key = "key" + std::to_string(i);
        TableValue v;
        v.column = t.column("id");
        v.int_value = i;
        if (t.set(key, {v}) == SharedTable::SetResult::kFull) break;
        stored.push_back(key);
    }
    EXPECT_GE(stored.size(), 12u);
    EXPECT_LE(stored.size(), 76u);
    EXPECT_EQ(t.count(), static_cast<int64_t>(stored.size()));
    EXPECT_EQ(t.stats().available_slice_num, 0u);
    for (size_t i = 0; i < stored.size(); ++i) {
        std::string row;
        ASSERT_TRUE(t.get(stored[i], &row)) << stored[i];
        EXPECT_EQ(SharedTable::read_int(row, *t.column("id")), static_cast<int64_t>(i));
    }
    for (const auto &k : stored) EXPECT_TRUE(t.del(k));
    EXPECT_EQ(t.count(), 0);
    EXPECT_EQ(t.stats().available_slice_num, t.stats().total_slice_num);
    put(t, "again", 1, "x");
    EXPECT_TRUE(t.exists("again"));
}

TEST(SharedTable, IteratesEveryRowOnce) {
    auto t = make(64, 1.0);
    std::set<std::string> keys;
    for (int i = 0; i < 100; ++i) {
        keys.insert("k" + std::to_string(i));
        put(t, "k" + std::to_string(i), i, "n");
    }
    std::set<std::string> seen;
    SharedTable::Cursor cursor;
    std::string key, row;
    while (t.next(cursor, &key, &row)) EXPECT_TRUE(seen.insert(key).second) << key;
    EXPECT_EQ(seen, keys);
}

TEST(SharedTable, IncrFromFourProcessesIsExact) {
    auto t = make();
    std::vector<pid_t> pids;
    for (int c = 0; c < 4; ++c) {
        pid_t pid = fork();
        if (pid == 0) {
            int64_t out = 0;
            for (int i = 0; i < 50000; ++i) t.incr_int("hits", *t.column("id"), 1, &out);
            _exit(0);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) waitpid(pid, nullptr, 0);
    std::string row;
    ASSERT_TRUE(t.get("hits", &row));
    EXPECT_EQ(SharedTable::read_int(row, *t.column("id")), 200000);
}

TEST(SharedTable, WriterKilledMidWriteLeavesWholeRowsAndNoStuckLock) {
    auto t = make();
    auto ready = SharedAtomic32::create(0);
    ASSERT_TRUE(ready);
    put(t, "row", 0, "0000000000000000");
    for (int round = 0; round < 5; ++round) {
        ready->set(0);
        pid_t pid = fork();
        if (pid == 0) {
            // Every write keeps id and name in step: a torn row would break that.
            for (int64_t i = 1;; ++i) {
                std::string name(16, static_cast<char>('0' + i % 10));
                TableValue a;
                a.column = t.column("id");
                a.int_value = i % 10;
                TableValue b;
                b.column = t.column("name");
                b.string_value = name;
                t.set("row", {a, b});
                ready->set(1);
            }
        }
        for (int i = 0; i < 10000 && ready->get() == 0; ++i) usleep(100);
        usleep(1000 * (1 + round));
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        std::string row;
        ASSERT_TRUE(t.get("row", &row));  // would spin forever on a stuck lock
        const int64_t id = SharedTable::read_int(row, *t.column("id"));
        EXPECT_EQ(SharedTable::read_string(row, *t.column("name")), std::string(16, static_cast<char>('0' + id)));
    }
}

TEST(SharedTable, LockHeldByKilledProcessIsTakenOver) {
    auto t = make();
    put(t, "a", 1, "x");
    // Children writing in a loop are killed at random points, often while they hold the
    // bucket's lock: the parent must take it over and read a whole row every time.
    for (int round = 0; round < 20; ++round) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;) put(t, "a", 2, "y");
        }
        usleep(200);
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        std::string row;
        ASSERT_TRUE(t.get("a", &row));
    }
}
