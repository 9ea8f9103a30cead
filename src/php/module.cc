// The wsserver module entry: startup (constants, classes, the Swoole conflict check) and
// the phpinfo() section.
#include "php/classes.h"
#include "php/coroutine_runtime.h"

#include "ext/standard/info.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <zlib.h>

#include <cstring>

#include "stubs/wsserver_arginfo.h"  // ext_functions: wsserver_settings_table() (server_settings.cc)

namespace {

// Extensions that define the same Swoole\ classes and constants as wsserver.
constexpr const char *kConflictingModules[] = {"swoole", "openswoole"};

// Every extension is in module_registry before the first MINIT runs, so this sees a
// conflicting module whichever order the extensions were loaded in.
const char *loaded_conflicting_module() {
    for (const char *name : kConflictingModules) {
        if (zend_hash_str_exists(&module_registry, name, std::strlen(name))) {
            return name;
        }
    }
    return nullptr;
}

constexpr const char *cxx_standard() {
#if __cplusplus > 202002L
    return "C++23 or later";
#elif __cplusplus == 202002L
    return "C++20";
#elif __cplusplus == 201703L
    return "C++17";
#else
    return "older than C++17";
#endif
}

// Set when MINIT stood down because a conflicting extension is loaded.
const char *g_conflicting_module = nullptr;

}  // namespace

PHP_MINIT_FUNCTION(wsserver) {
    (void)type;
#if defined(ZTS) && defined(COMPILE_DL_WSSERVER)
    ZEND_TSRMLS_CACHE_UPDATE();
#endif
    // Swoole loaded after us (loaded before us, ZEND_MOD_CONFLICTS already refused us).
    // Returning FAILURE here would make PHP abort its startup with "Unable to start
    // wsserver module", so wsserver stays loaded but registers nothing: the other
    // extension keeps working and PHP starts.
    if (const char *other = loaded_conflicting_module()) {
        g_conflicting_module = other;
        zend_error(E_CORE_WARNING,
                   "wsserver cannot be loaded together with %s: both define the Swoole\\ classes and "
                   "constants. wsserver stays disabled; load only one of the two extensions",
                   other);
        return SUCCESS;
    }
    wsserver_register_constants(module_number);
    wsserver_register_server_class();
    wsserver_register_server_port_class();
    wsserver_register_server_task_class();
    wsserver_register_http_server_class();
    wsserver_register_websocket_server_class();
    wsserver_register_frame_classes();
    wsserver_register_table_class();
    wsserver_register_atomic_classes();
    wsserver_register_lock_class();
    wsserver_register_coroutine_classes();
    return SUCCESS;
}

// The coroutine runtime lives for one request: suspended coroutines, timers and the
// event loop of this script go away with it.
PHP_RSHUTDOWN_FUNCTION(wsserver) {
    (void)type;
    (void)module_number;
    if (g_conflicting_module) return SUCCESS;
    wsserver_coroutine_runtime_shutdown();
    wsserver_timers_reset();
    wsserver_coroutine_options_reset();
    return SUCCESS;
}

PHP_MINFO_FUNCTION(wsserver) {
    (void)zend_module;
    php_info_print_table_start();
    if (g_conflicting_module) {
        php_info_print_table_row(2, "wsserver support", "disabled");
        php_info_print_table_row(2, "Conflicting extension loaded", g_conflicting_module);
    } else {
        php_info_print_table_row(2, "wsserver support", "enabled");
    }
    php_info_print_table_row(2, "Version", PHP_WSSERVER_VERSION);
    php_info_print_table_row(2, "C++ standard", cxx_standard());
    php_info_print_table_row(2, "zlib headers version", ZLIB_VERSION);
    php_info_print_table_row(2, "zlib library version", zlibVersion());
    php_info_print_table_row(2, "OpenSSL headers version", OPENSSL_VERSION_TEXT);
    php_info_print_table_row(2, "OpenSSL library version", OpenSSL_version(OPENSSL_VERSION));
#if defined(__SANITIZE_ADDRESS__)
    php_info_print_table_row(2, "AddressSanitizer", "enabled");
#endif
    php_info_print_table_end();
}

namespace {

// A second extension defining Swoole\ would redeclare our classes. Loaded after it, PHP
// refuses to register wsserver because of these entries; loaded before it, MINIT stands
// down (see above). ReflectionExtension::getDependencies() lists them as "Conflicts".
const zend_module_dep wsserver_deps[] = {
    ZEND_MOD_CONFLICTS("swoole")
    ZEND_MOD_CONFLICTS("openswoole")
    ZEND_MOD_END
};

}  // namespace

zend_module_entry wsserver_module_entry = {
    STANDARD_MODULE_HEADER_EX,
    nullptr,
    wsserver_deps,
    "wsserver",
    ext_functions,  // only the internal wsserver_settings_table()
    PHP_MINIT(wsserver),
    nullptr,  // MSHUTDOWN: registered classes and constants are released by the engine
    nullptr,  // RINIT
    PHP_RSHUTDOWN(wsserver),
    PHP_MINFO(wsserver),
    PHP_WSSERVER_VERSION,
    STANDARD_MODULE_PROPERTIES,
};

#ifdef COMPILE_DL_WSSERVER
#ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
#endif
ZEND_GET_MODULE(wsserver)
#endif
