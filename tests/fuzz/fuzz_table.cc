// Fuzz target: random operation sequences on a small SharedTable (many collisions, a full
// table reached often) checked against a std::map model: set/incr/del/get/exists results,
// count(), the free-slot accounting and a full iteration after every run.
//
// Input: byte 0 picks the size and conflict proportion; then 3 bytes per operation:
// operation, key number (keys "k0".."k99" plus one 63-byte and one 64-byte key), value.
#include <map>
#include <set>
#include <string>

#include "core/table/shared_table.h"
#include "fuzz_common.h"

using namespace wsserver;

namespace {

struct Row {
    int64_t n = 0;
    std::string s;
};

std::string key_of(uint8_t b) {
    const unsigned k = b % 102;
    if (k == 100) return std::string(63, 'L');
    if (k == 101) return std::string(64, 'T');  // too long: always refused
    return "k" + std::to_string(k);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    std::vector<TableColumn> cols(2);
    cols[0].name = "n";
    cols[0].type = TableColumn::Type::kInt;
    cols[1].name = "s";
    cols[1].type = TableColumn::Type::kString;
    cols[1].capacity = SharedTable::string_capacity(5);  // 8 bytes
    auto created = SharedTable::create(64, (data[0] & 3) * 0.3, cols);
    FUZZ_CHECK(created.ok(), "create failed");
    SharedTable &t = *created;
    const TableColumn &n_col = *t.column("n");
    const TableColumn &s_col = *t.column("s");
    std::map<std::string, Row> model;

    for (size_t i = 1; i + 3 <= size; i += 3) {
        const uint8_t op = data[i] % 8;
        const std::string key = key_of(data[i + 1]);
        const bool valid = key.size() <= SharedTable::kMaxKeyLength;
        const uint8_t v = data[i + 2];
        std::string row;
        switch (op) {
            case 0: {  // set both columns
                TableValue a;
                a.column = &n_col;
                a.int_value = v;
                const std::string text(v % 12, static_cast<char>('a' + v % 26));
                TableValue b;
                b.column = &s_col;
                b.string_value = std::string_view(text).substr(0, s_col.capacity);
                auto r = t.set(key, {a, b});
                if (!valid) {
                    FUZZ_CHECK(r == SharedTable::SetResult::kFull, "set of an invalid key succeeded");
                } else if (r == SharedTable::SetResult::kOk) {
                    model[key] = Row{v, text.substr(0, s_col.capacity)};
                } else {
                    FUZZ_CHECK(!model.count(key), "set of an existing key failed");
                }
                break;
            }
            case 1: {  // incr
                int64_t out = 0;
                auto r = t.incr_int(key, n_col, static_cast<int8_t>(v), &out);
                if (valid && r == SharedTable::SetResult::kOk) {
                    Row &m = model[key];
                    m.n += static_cast<int8_t>(v);
                    FUZZ_CHECK(out == m.n, "incr returned %lld, model %lld", (long long)out, (long long)m.n);
                } else {
                    FUZZ_CHECK(!valid || !model.count(key), "incr of an existing key failed");
                }
                break;
            }
            case 2:
                FUZZ_CHECK(t.del(key) == (model.erase(key) == 1), "del disagrees");
                break;
            case 3: {
                const bool got = t.get(key, &row);
                auto it = model.find(key);
                FUZZ_CHECK(got == (it != model.end()), "get disagrees");
                if (got) {
                    FUZZ_CHECK(SharedTable::read_int(row, n_col) == it->second.n, "int column differs");
                    FUZZ_CHECK(SharedTable::read_string(row, s_col) == it->second.s, "string column differs");
                }
                break;
            }
            case 4: {  // add (new keys only) or update (existing keys only)
                TableValue a;
                a.column = &n_col;
                a.int_value = v;
                const bool adding = v & 1;
                auto r = adding ? t.add(key, {a}) : t.update(key, {a});
                const bool present = model.count(key) == 1;
                if (!valid) {
                    FUZZ_CHECK(r != SharedTable::SetResult::kOk, "write of an invalid key succeeded");
                } else if (adding && present) {
                    FUZZ_CHECK(r == SharedTable::SetResult::kNotDone, "add of an existing key");
                } else if (!adding && !present) {
                    FUZZ_CHECK(r == SharedTable::SetResult::kNotDone, "update of a missing key");
                } else if (r == SharedTable::SetResult::kOk) {
                    model[key].n = v;
                } else {
                    FUZZ_CHECK(adding && r == SharedTable::SetResult::kFull, "write failed");
                }
                break;
            }
            case 5: {  // cmpset/cmpdel on the int column, expecting v
                TableValue e;
                e.column = &n_col;
                e.int_value = v;
                auto it = model.find(key);
                const bool match = it != model.end() && it->second.n == v;
                if (data[i + 2] & 0x80) {
                    FUZZ_CHECK(t.cmpdel(key, {e}) == match, "cmpdel disagrees");
                    if (match) model.erase(it);
                } else {
                    TableValue a;
                    a.column = &n_col;
                    a.int_value = v + 1;
                    auto r = t.cmpset(key, {e}, {a});
                    FUZZ_CHECK((r == SharedTable::SetResult::kOk) == match, "cmpset disagrees");
                    if (match) it->second.n = v + 1;
                }
                break;
            }
            case 6: {
                const bool got = t.getdel(key, &row);
                auto it = model.find(key);
                FUZZ_CHECK(got == (it != model.end()), "getdel disagrees");
                if (got) {
                    FUZZ_CHECK(SharedTable::read_int(row, n_col) == it->second.n, "getdel row differs");
                    model.erase(it);
                }
                break;
            }
            default:
                FUZZ_CHECK(t.exists(key) == (model.count(key) == 1), "exists disagrees");
                break;
        }
        FUZZ_CHECK(t.count() == static_cast<int64_t>(model.size()), "count %lld, model %zu", (long long)t.count(),
                   model.size());
    }

    std::set<std::string> seen;
    SharedTable::Cursor cursor;
    std::string key, row;
    while (t.next(cursor, &key, &row)) {
        FUZZ_CHECK(seen.insert(key).second, "iteration repeated a key");
        auto it = model.find(key);
        FUZZ_CHECK(it != model.end(), "iteration found a deleted key");
        FUZZ_CHECK(SharedTable::read_int(row, n_col) == it->second.n, "iterated row differs");
    }
    FUZZ_CHECK(seen.size() == model.size(), "iteration missed keys");
    // Every slot is accounted for: root slots in use + conflict slots in use = rows.
    const TableStats st = t.stats();
    FUZZ_CHECK(st.available_slice_num <= st.total_slice_num, "free list overflow");
    return 0;
}
