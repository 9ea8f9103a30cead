// Swoole\Table: a thin wrapper over core/table/shared_table.h. Columns are collected
// until create() maps the table; values are converted to and from row images here, with
// Swoole's warnings and errors. No table lock is ever held while PHP code runs: values
// are converted first, rows are copied out before zvals are built.
#include "php/classes.h"

#include "zend_interfaces.h"

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/table/shared_table.h"
#include "stubs/table_arginfo.h"

zend_class_entry *wsserver_ce_table = nullptr;

namespace {

namespace ws = wsserver;

struct TableObject {
    bool constructed;
    uint32_t size;
    double proportion;
    std::vector<ws::TableColumn> columns;  // until create()
    std::optional<ws::SharedTable> table;  // after create(), until destroy()
    // Iteration state (per object, so two foreach loops in one process do not mix).
    ws::SharedTable::Cursor cursor;
    bool current_valid;
    std::string current_key;
    std::string current_row;
    // After create(): the column names as PHP strings (their hashes computed once) and a
    // buffer rows are copied into, so get() allocates nothing but its result.
    std::vector<zend_string *> column_names;
    std::string scratch;
    zend_object std;
};

zend_object_handlers table_handlers;

zend_object *table_create_object(zend_class_entry *ce) {
    auto *o = new_object<TableObject>(ce, table_handlers);
    o->constructed = false;
    o->size = 0;
    o->proportion = ws::SharedTable::kMinConflictProportion;
    construct_member(o->columns);
    construct_member(o->table);
    construct_member(o->cursor);
    o->current_valid = false;
    construct_member(o->current_key);
    construct_member(o->current_row);
    construct_member(o->column_names);
    construct_member(o->scratch);
    return &o->std;
}

void table_free_object(zend_object *obj) {
    auto *o = object_from<TableObject>(obj);
    destroy_member(o->columns);
    destroy_member(o->table);
    destroy_member(o->cursor);
    destroy_member(o->current_key);
    destroy_member(o->current_row);
    for (zend_string *name : o->column_names) zend_string_release(name);
    destroy_member(o->column_names);
    destroy_member(o->scratch);
    zend_object_std_dtor(obj);
}

TableObject *this_table(zval *this_zv) { return object_from<TableObject>(Z_OBJ_P(this_zv)); }

// The created table, or null after Swoole's fatal error (it ends the script).
ws::SharedTable *created_table(zval *this_zv) {
    TableObject *o = this_table(this_zv);
    if (!o->constructed) {
        php_error_docref(nullptr, E_ERROR, "must call constructor first");
        return nullptr;
    }
    if (!o->table) {
        php_error_docref(nullptr, E_ERROR, "table is not created or has been destroyed");
        return nullptr;
    }
    return &*o->table;
}

bool check_key(const zend_string *key) {
    if (ZSTR_LEN(key) == 0) {
        php_error_docref(nullptr, E_WARNING, "key must not be empty");
        return false;
    }
    if (ZSTR_LEN(key) > ws::SharedTable::kMaxKeyLength) {
        php_error_docref(nullptr, E_WARNING, "key length exceeds the limit of %d bytes",
                         static_cast<int>(ws::SharedTable::kMaxKeyLength));
        return false;
    }
    return true;
}

void value_to_zval(const ws::SharedTable &t, const ws::TableColumn &c, const std::string &row, zval *out) {
    (void)t;
    switch (c.type) {
        case ws::TableColumn::Type::kInt:
            ZVAL_LONG(out, ws::SharedTable::read_int(row, c));
            break;
        case ws::TableColumn::Type::kFloat:
            ZVAL_DOUBLE(out, ws::SharedTable::read_float(row, c));
            break;
        case ws::TableColumn::Type::kString:
            ZVAL_STR(out, zstr_from(ws::SharedTable::read_string(row, c)));
            break;
    }
}

void row_to_array(const TableObject *o, const std::string &row, zval *out) {
    const ws::SharedTable &t = *o->table;
    array_init_size(out, static_cast<uint32_t>(t.columns().size()));
    for (size_t i = 0; i < t.columns().size(); ++i) {
        zval v;
        value_to_zval(t, t.columns()[i], row, &v);
        zend_hash_add_new(Z_ARRVAL_P(out), o->column_names[i], &v);
    }
}

void advance(TableObject *o) {
    o->current_valid = o->table && o->table->next(o->cursor, &o->current_key, &o->current_row);
}

}  // namespace

ZEND_METHOD(Swoole_Table, __construct) {
    zend_long size;
    double proportion = ws::SharedTable::kMinConflictProportion;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_LONG(size)
    Z_PARAM_OPTIONAL
    Z_PARAM_DOUBLE(proportion)
    ZEND_PARSE_PARAMETERS_END();
    TableObject *o = this_table(ZEND_THIS);
    if (o->constructed) {
        zend_throw_error(nullptr, "Constructor of %s can only be called once", ZSTR_VAL(Z_OBJCE_P(ZEND_THIS)->name));
        RETURN_THROWS();
    }
    o->constructed = true;
    o->size = ws::SharedTable::round_size(size);
    o->proportion = ws::SharedTable::clamp_proportion(proportion);
}

ZEND_METHOD(Swoole_Table, column) {
    zend_string *name;
    zend_long type;
    zend_long size = 0;
    ZEND_PARSE_PARAMETERS_START(2, 3)
    Z_PARAM_STR(name)
    Z_PARAM_LONG(type)
    Z_PARAM_OPTIONAL
    Z_PARAM_LONG(size)
    ZEND_PARSE_PARAMETERS_END();
    TableObject *o = this_table(ZEND_THIS);
    if (!o->constructed) {
        php_error_docref(nullptr, E_ERROR, "must call constructor first");
        RETURN_FALSE;
    }
    if (type == static_cast<zend_long>(ws::TableColumn::Type::kString) && size < 1) {
        php_error_docref(nullptr, E_WARNING, "the length of string type values has to be more than zero");
        RETURN_FALSE;
    }
    if (o->table) {
        php_error_docref(nullptr, E_WARNING, "unable to add column after table has been created");
        RETURN_FALSE;
    }
    if (type < 1 || type > 3) {
        php_error_docref(nullptr, E_WARNING, "unknown column type");
        RETURN_FALSE;
    }
    const std::string column_name(ZSTR_VAL(name), ZSTR_LEN(name));
    for (const auto &c : o->columns) {
        if (c.name == column_name) {
            php_error_docref(nullptr, E_WARNING, "column[%s] already exists", column_name.c_str());
            RETURN_FALSE;
        }
    }
    if (type == 3 && size > 0xFFFFFFF0ll) {
        php_error_docref(nullptr, E_WARNING, "column[%s] size is too large", column_name.c_str());
        RETURN_FALSE;
    }
    ws::TableColumn c;
    c.name = column_name;
    c.type = static_cast<ws::TableColumn::Type>(type);
    c.capacity = c.type == ws::TableColumn::Type::kString ? ws::SharedTable::string_capacity(size) : 0;
    o->columns.push_back(std::move(c));
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Table, create) {
    ZEND_PARSE_PARAMETERS_NONE();
    TableObject *o = this_table(ZEND_THIS);
    if (!o->constructed) {
        php_error_docref(nullptr, E_ERROR, "must call constructor first");
        RETURN_FALSE;
    }
    if (o->table) RETURN_FALSE;  // already created: Swoole's create() returns false
    auto made = ws::SharedTable::create(o->size, o->proportion, o->columns);
    if (!made) {
        php_error_docref(nullptr, E_ERROR, "unable to allocate memory");
        RETURN_FALSE;
    }
    o->table.emplace(std::move(*made));
    for (zend_string *name : o->column_names) zend_string_release(name);  // created again after destroy()
    o->column_names.clear();
    for (const auto &c : o->table->columns()) {
        zend_string *name = zend_string_init(c.name.data(), c.name.size(), 0);
        zend_string_hash_val(name);
        o->column_names.push_back(name);
    }
    zend_update_property_long(Z_OBJCE_P(ZEND_THIS), Z_OBJ_P(ZEND_THIS), ZEND_STRL("size"), o->table->size());
    zend_update_property_long(Z_OBJCE_P(ZEND_THIS), Z_OBJ_P(ZEND_THIS), ZEND_STRL("memorySize"),
                              static_cast<zend_long>(o->table->memory_size()));
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Table, destroy) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!created_table(ZEND_THIS)) RETURN_FALSE;
    TableObject *o = this_table(ZEND_THIS);
    o->table.reset();  // this process's view only; other processes keep theirs
    o->current_valid = false;
    RETURN_TRUE;
}

namespace {

// Column values converted from a PHP array, owning the strings they point into.
class Values {
public:
    Values() = default;
    Values(const Values &) = delete;
    Values &operator=(const Values &) = delete;
    ~Values() {
        for (zend_string *s : strings_) zend_string_release(s);
    }
    std::vector<ws::TableValue> list;

    // Write mode (set/add/update, the new values of cmpset): unknown names are skipped,
    // long strings truncated with Swoole's warning. Expected mode (cmpset/cmpdel): every
    // name must be a column, at least one; strings are compared whole. Converted before
    // any row is locked, as a conversion may run user code. False after a warning or an
    // exception.
    bool convert(const ws::SharedTable &t, const zend_string *key, HashTable *ht, bool expected) {
        zend_string *name;
        zval *value;
        if (expected) {
            if (zend_hash_num_elements(ht) == 0) {
                php_error_docref(nullptr, E_WARNING, "expected values must not be empty");
                return false;
            }
            ZEND_HASH_FOREACH_STR_KEY(ht, name) {
                if (!name) {
                    php_error_docref(nullptr, E_WARNING, "expected values must use column names");
                    return false;
                }
                if (!t.column(std::string_view(ZSTR_VAL(name), ZSTR_LEN(name)))) {
                    php_error_docref(nullptr, E_WARNING, "column[%s] does not exist", ZSTR_VAL(name));
                    return false;
                }
            }
            ZEND_HASH_FOREACH_END();
        }
        list.reserve(zend_hash_num_elements(ht));
        ZEND_HASH_FOREACH_STR_KEY_VAL(ht, name, value) {
            if (!name) continue;
            const ws::TableColumn *c = t.column(std::string_view(ZSTR_VAL(name), ZSTR_LEN(name)));
            if (!c) continue;
            ws::TableValue v;
            v.column = c;
            if (c->type == ws::TableColumn::Type::kString) {
                zend_string *str = zval_get_string(value);
                strings_.push_back(str);
                size_t length = ZSTR_LEN(str);
                if (!expected && length > c->capacity) {
                    php_error_docref(nullptr, E_WARNING, "[key=%s,field=%s]string value is too long", ZSTR_VAL(key),
                                     c->name.c_str());
                    length = c->capacity;
                }
                v.string_value = std::string_view(ZSTR_VAL(str), length);
            } else if (c->type == ws::TableColumn::Type::kFloat) {
                v.float_value = zval_get_double(value);
            } else {
                v.int_value = zval_get_long(value);
            }
            if (EG(exception)) return false;
            list.push_back(v);
        }
        ZEND_HASH_FOREACH_END();
        return true;
    }

private:
    std::vector<zend_string *> strings_;
};

enum class WriteKind { kSet, kAdd, kUpdate };

void write_row(INTERNAL_FUNCTION_PARAMETERS, WriteKind kind) {
    zend_string *key;
    HashTable *values;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(key)
    Z_PARAM_ARRAY_HT(values)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    Values row;
    if (!row.convert(*t, key, values, false)) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    const std::string_view k(ZSTR_VAL(key), ZSTR_LEN(key));
    ws::SharedTable::SetResult r = kind == WriteKind::kSet   ? t->set(k, row.list)
                                   : kind == WriteKind::kAdd ? t->add(k, row.list)
                                                             : t->update(k, row.list);
    if (r == ws::SharedTable::SetResult::kFull) {
        php_error_docref(nullptr, E_WARNING, "failed to %s('%s'), unable to allocate memory",
                         kind == WriteKind::kSet ? "set" : "add", ZSTR_VAL(key));
    }
    RETURN_BOOL(r == ws::SharedTable::SetResult::kOk);
}

}  // namespace

ZEND_METHOD(Swoole_Table, set) { write_row(INTERNAL_FUNCTION_PARAM_PASSTHRU, WriteKind::kSet); }

ZEND_METHOD(Swoole_Table, add) { write_row(INTERNAL_FUNCTION_PARAM_PASSTHRU, WriteKind::kAdd); }

ZEND_METHOD(Swoole_Table, update) { write_row(INTERNAL_FUNCTION_PARAM_PASSTHRU, WriteKind::kUpdate); }

ZEND_METHOD(Swoole_Table, cmpset) {
    zend_string *key;
    HashTable *expected;
    HashTable *values;
    ZEND_PARSE_PARAMETERS_START(3, 3)
    Z_PARAM_STR(key)
    Z_PARAM_ARRAY_HT(expected)
    Z_PARAM_ARRAY_HT(values)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    Values want;
    Values row;
    if (!want.convert(*t, key, expected, true) || !row.convert(*t, key, values, false)) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    RETURN_BOOL(t->cmpset(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key)), want.list, row.list) ==
                ws::SharedTable::SetResult::kOk);
}

ZEND_METHOD(Swoole_Table, cmpdel) {
    zend_string *key;
    HashTable *expected;
    ZEND_PARSE_PARAMETERS_START(2, 2)
    Z_PARAM_STR(key)
    Z_PARAM_ARRAY_HT(expected)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    Values want;
    if (!want.convert(*t, key, expected, true)) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    RETURN_BOOL(t->cmpdel(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key)), want.list));
}

ZEND_METHOD(Swoole_Table, getdel) {
    zend_string *key;
    zend_string *field = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_STR(key)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR_OR_NULL(field)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    const ws::TableColumn *c = nullptr;
    if (field) {
        c = t->column(std::string_view(ZSTR_VAL(field), ZSTR_LEN(field)));
        if (!c) RETURN_FALSE;  // Swoole: an unknown field deletes nothing
    }
    TableObject *o = this_table(ZEND_THIS);
    std::string &row = o->scratch;
    if (!t->getdel(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key)), &row)) RETURN_FALSE;
    if (c) {
        value_to_zval(*t, *c, row, return_value);
        return;
    }
    row_to_array(o, row, return_value);
}

ZEND_METHOD(Swoole_Table, get) {
    zend_string *key;
    zend_string *field = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
    Z_PARAM_STR(key)
    Z_PARAM_OPTIONAL
    Z_PARAM_STR_OR_NULL(field)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    TableObject *o = this_table(ZEND_THIS);
    std::string &row = o->scratch;
    if (!t->get(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key)), &row)) RETURN_FALSE;
    if (field) {
        const ws::TableColumn *c = t->column(std::string_view(ZSTR_VAL(field), ZSTR_LEN(field)));
        if (!c) RETURN_FALSE;
        value_to_zval(*t, *c, row, return_value);
        return;
    }
    row_to_array(o, row, return_value);
}

ZEND_METHOD(Swoole_Table, count) {
    ZEND_PARSE_PARAMETERS_NONE();
    TableObject *o = this_table(ZEND_THIS);
    RETURN_LONG(o->table ? o->table->count() : 0);
}

ZEND_METHOD(Swoole_Table, del) {
    zend_string *key;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(key)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    RETURN_BOOL(t->del(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key))));
}

ZEND_METHOD(Swoole_Table, exists) {
    zend_string *key;
    ZEND_PARSE_PARAMETERS_START(1, 1)
    Z_PARAM_STR(key)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    RETURN_BOOL(t->exists(std::string_view(ZSTR_VAL(key), ZSTR_LEN(key))));
}

namespace {

// incr() and decr(): `sign` is +1 or -1.
void add_to_column(INTERNAL_FUNCTION_PARAMETERS, int sign, const char *method) {
    zend_string *key;
    zend_string *column;
    zval *by = nullptr;
    ZEND_PARSE_PARAMETERS_START(2, 3)
    Z_PARAM_STR(key)
    Z_PARAM_STR(column)
    Z_PARAM_OPTIONAL
    Z_PARAM_NUMBER(by)
    ZEND_PARSE_PARAMETERS_END();
    ws::SharedTable *t = created_table(ZEND_THIS);
    if (!t || !check_key(key)) RETURN_FALSE;
    const ws::TableColumn *c = t->column(std::string_view(ZSTR_VAL(column), ZSTR_LEN(column)));
    if (!c) {
        php_error_docref(nullptr, E_WARNING, "column[%s] does not exist", ZSTR_VAL(column));
        RETURN_FALSE;
    }
    if (c->type == ws::TableColumn::Type::kString) {
        php_error_docref(nullptr, E_WARNING, "can't execute '%s' on a string type column", method);
        RETURN_FALSE;
    }
    const std::string_view k(ZSTR_VAL(key), ZSTR_LEN(key));
    ws::SharedTable::SetResult result;
    if (c->type == ws::TableColumn::Type::kFloat) {
        const double amount = by ? zval_get_double(by) : 1.0;
        double out = 0;
        result = t->incr_float(k, *c, sign * amount, &out);
        if (result == ws::SharedTable::SetResult::kOk) RETVAL_DOUBLE(out);
    } else {
        const zend_long amount = by ? zval_get_long(by) : 1;
        // Negating in unsigned arithmetic: decr(ZEND_LONG_MIN) wraps like Swoole's C code.
        const int64_t delta =
            sign > 0 ? amount : static_cast<int64_t>(0 - static_cast<uint64_t>(amount));
        int64_t out = 0;
        result = t->incr_int(k, *c, delta, &out);
        if (result == ws::SharedTable::SetResult::kOk) RETVAL_LONG(out);
    }
    if (result != ws::SharedTable::SetResult::kOk) {
        php_error_docref(nullptr, E_WARNING, "unable to allocate memory");
        RETURN_FALSE;
    }
}

}  // namespace

ZEND_METHOD(Swoole_Table, incr) { add_to_column(INTERNAL_FUNCTION_PARAM_PASSTHRU, 1, "incr"); }

ZEND_METHOD(Swoole_Table, decr) { add_to_column(INTERNAL_FUNCTION_PARAM_PASSTHRU, -1, "decr"); }

ZEND_METHOD(Swoole_Table, getSize) {
    ZEND_PARSE_PARAMETERS_NONE();
    TableObject *o = this_table(ZEND_THIS);
    RETURN_LONG(o->table ? o->table->size() : o->size);
}

ZEND_METHOD(Swoole_Table, getMemorySize) {
    ZEND_PARSE_PARAMETERS_NONE();
    TableObject *o = this_table(ZEND_THIS);
    RETURN_LONG(o->table ? static_cast<zend_long>(o->table->memory_size()) : 0);
}

ZEND_METHOD(Swoole_Table, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    TableObject *o = this_table(ZEND_THIS);
    if (!o->table) RETURN_FALSE;
    const ws::TableStats st = o->table->stats();
    array_init(return_value);
    add_assoc_long(return_value, "num", st.num);
    add_assoc_long(return_value, "conflict_count", static_cast<zend_long>(st.conflict_count));
    add_assoc_long(return_value, "conflict_max_level", static_cast<zend_long>(st.conflict_max_level));
    add_assoc_long(return_value, "insert_count", static_cast<zend_long>(st.insert_count));
    add_assoc_long(return_value, "update_count", static_cast<zend_long>(st.update_count));
    add_assoc_long(return_value, "delete_count", static_cast<zend_long>(st.delete_count));
    add_assoc_long(return_value, "available_slice_num", static_cast<zend_long>(st.available_slice_num));
    add_assoc_long(return_value, "total_slice_num", static_cast<zend_long>(st.total_slice_num));
}

ZEND_METHOD(Swoole_Table, rewind) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    if (!created_table(ZEND_THIS)) return;
    TableObject *o = this_table(ZEND_THIS);
    o->cursor = ws::SharedTable::Cursor{};
    advance(o);
}

ZEND_METHOD(Swoole_Table, valid) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!created_table(ZEND_THIS)) RETURN_FALSE;
    RETURN_BOOL(this_table(ZEND_THIS)->current_valid);
}

ZEND_METHOD(Swoole_Table, next) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    if (!created_table(ZEND_THIS)) return;
    advance(this_table(ZEND_THIS));
}

ZEND_METHOD(Swoole_Table, current) {
    ZEND_PARSE_PARAMETERS_NONE();
    ws::SharedTable *t = created_table(ZEND_THIS);
    TableObject *o = this_table(ZEND_THIS);
    if (!t || !o->current_valid) RETURN_NULL();
    row_to_array(o, o->current_row, return_value);
}

ZEND_METHOD(Swoole_Table, key) {
    ZEND_PARSE_PARAMETERS_NONE();
    TableObject *o = this_table(ZEND_THIS);
    if (!created_table(ZEND_THIS) || !o->current_valid) RETURN_NULL();
    RETURN_STR(zstr_from(o->current_key));
}

void wsserver_register_table_class() {
    wsserver_ce_table = register_class_Swoole_Table(zend_ce_iterator, zend_ce_countable);
    wsserver_ce_table->create_object = table_create_object;
    std::memcpy(&table_handlers, zend_get_std_object_handlers(), sizeof(table_handlers));
    table_handlers.offset = XtOffsetOf(TableObject, std);
    table_handlers.free_obj = table_free_object;
    table_handlers.clone_obj = nullptr;
}
