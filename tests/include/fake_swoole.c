/*
 * A do-nothing PHP extension whose module name is "swoole", used by tests/api/swoole_conflict.phpt
 * to check that wsserver refuses to run next to Swoole. It defines no functions, classes
 * or constants. Built by the test with:
 *   cc -shared -fPIC $(php-config --includes) -DCOMPILE_DL_SWOOLE -o swoole.so fake_swoole.c
 */
#include "php.h"

zend_module_entry swoole_module_entry = {
    STANDARD_MODULE_HEADER,
    "swoole",
    NULL, /* functions */
    NULL, /* MINIT */
    NULL, /* MSHUTDOWN */
    NULL, /* RINIT */
    NULL, /* RSHUTDOWN */
    NULL, /* MINFO */
    "0.0.0-wsserver-test-fake",
    STANDARD_MODULE_PROPERTIES
};

#ifdef COMPILE_DL_SWOOLE
ZEND_GET_MODULE(swoole)
#endif
