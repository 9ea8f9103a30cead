/* wsserver: a WebSocket server extension offering Swoole's WebSocket server API.
 *
 * This header is also read by PHP's C sources when the extension is built statically,
 * so it must stay valid C. */
#ifndef PHP_WSSERVER_H
#define PHP_WSSERVER_H

#define PHP_WSSERVER_VERSION "0.1.0"

BEGIN_EXTERN_C()
extern zend_module_entry wsserver_module_entry;
END_EXTERN_C()
#define phpext_wsserver_ptr &wsserver_module_entry

#if defined(ZTS) && defined(COMPILE_DL_WSSERVER)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif /* PHP_WSSERVER_H */
