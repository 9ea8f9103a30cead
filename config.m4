dnl config.m4 for wsserver, a WebSocket server extension written in C++17.
dnl Build: phpize && ./configure --enable-wsserver && make

PHP_ARG_ENABLE([wsserver],
  [whether to enable wsserver],
  [AS_HELP_STRING([--enable-wsserver], [Enable the wsserver WebSocket server extension])],
  [no])

PHP_ARG_ENABLE([wsserver-asan],
  [whether to build wsserver with AddressSanitizer and UBSan],
  [AS_HELP_STRING([--enable-wsserver-asan],
    [wsserver: compile and link with -fsanitize=address,undefined (development)])],
  [no], [no])

PHP_ARG_ENABLE([wsserver-dev],
  [whether to turn wsserver compiler warnings into errors],
  [AS_HELP_STRING([--enable-wsserver-dev], [wsserver: compile with -Werror (development)])],
  [no], [no])

if test "$PHP_WSSERVER" != "no"; then
  PHP_REQUIRE_CXX()
  dnl Always sets WSSERVER_STDCXX to an explicit switch (-std=c++17 with g++/clang++).
  PHP_CXX_COMPILE_STDCXX(17, mandatory, WSSERVER_STDCXX)

  dnl zlib (permessage-deflate): pkg-config first, then a plain library check.
  PKG_CHECK_MODULES([ZLIB], [zlib >= 1.2.8], [
    PHP_EVAL_INCLINE($ZLIB_CFLAGS)
    PHP_EVAL_LIBLINE($ZLIB_LIBS, WSSERVER_SHARED_LIBADD)
  ], [
    AC_CHECK_HEADER([zlib.h], [],
      [AC_MSG_ERROR([wsserver requires zlib: zlib.h not found (install zlib1g-dev or zlib-devel)])])
    PHP_CHECK_LIBRARY(z, deflateInit2_,
      [PHP_ADD_LIBRARY(z, 1, WSSERVER_SHARED_LIBADD)],
      [AC_MSG_ERROR([wsserver requires zlib: libz with deflateInit2_ not found (install zlib1g-dev or zlib-devel)])])
  ])

  dnl OpenSSL (SHA-1 for the handshake, random masking keys, later TLS).
  dnl PHP_SETUP_OPENSSL has no useful failure branch, so check first and say what is missing.
  PKG_CHECK_EXISTS([openssl >= 1.1.1], [],
    [AC_MSG_ERROR([wsserver requires OpenSSL >= 1.1.1: pkg-config finds no openssl.pc (install libssl-dev)])])
  PHP_SETUP_OPENSSL(WSSERVER_SHARED_LIBADD,
    [AC_DEFINE(HAVE_WSSERVER_OPENSSL, 1, [Whether wsserver is built with OpenSSL])])

  WSSERVER_CXXFLAGS="$WSSERVER_STDCXX -Wall -Wextra -fvisibility=hidden -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1"

  if test "$PHP_WSSERVER_DEV" != "no"; then
    WSSERVER_CXXFLAGS="$WSSERVER_CXXFLAGS -Werror"
  fi

  if test "$PHP_WSSERVER_ASAN" != "no"; then
    WSSERVER_SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer"
    WSSERVER_CXXFLAGS="$WSSERVER_CXXFLAGS $WSSERVER_SANITIZE"
    LDFLAGS="$LDFLAGS $WSSERVER_SANITIZE"
    dnl libtool links C++ modules with -nostdlib, so -fsanitize at link time adds no
    dnl runtime: with GCC, libasan and libubsan are named explicitly so the module records
    dnl them as dependencies (the test runner preloads exactly what ldd lists). PHP itself
    dnl is not instrumented and dlopen()s extensions with RTLD_DEEPBIND, which the ASan
    dnl runtime refuses, so scripts/lib.sh preloads a dlopen() wrapper that drops it.
    dnl Clang's ASan runtime carries the UBSan handlers and comes from LD_PRELOAD.
    AC_LANG_PUSH([C++])
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [[
#ifndef __clang__
#error not clang
#endif
    ]])], [wsserver_cxx_clang=yes], [wsserver_cxx_clang=no])
    AC_LANG_POP([C++])
    if test "$wsserver_cxx_clang" = "no"; then
      PHP_ADD_LIBRARY(asan, 1, WSSERVER_SHARED_LIBADD)
      PHP_ADD_LIBRARY(ubsan, 1, WSSERVER_SHARED_LIBADD)
    fi
  fi

  WSSERVER_CORE_SOURCES="
    src/core/coroutine/scheduler.cc
    src/core/coroutine/wait_group.cc
    src/core/http/http_parser.cc
    src/core/http/http_response.cc
    src/core/http/multipart.cc
    src/core/ipc/message_channel.cc
    src/core/ipc/packet_channel.cc
    src/core/ipc/process_messages.cc
    src/core/ipc/worker_status.cc
    src/core/net/log.cc
    src/core/net/output_queue.cc
    src/core/net/reactor.cc
    src/core/net/socket.cc
    src/core/net/syscall.cc
    src/core/net/timer_queue.cc
    src/core/net/tls.cc
    src/core/process/daemon.cc
    src/core/process/process_master.cc
    src/core/process/worker_pool.cc
    src/core/server/acceptor.cc
    src/core/server/command_executor.cc
    src/core/server/connection_reader.cc
    src/core/server/connection_set.cc
    src/core/server/connection_table.cc
    src/core/server/connection_writer.cc
    src/core/server/http_front.cc
    src/core/server/server.cc
    src/core/server/websocket_front.cc
    src/core/server/worker_link.cc
    src/core/table/shared_atomic.cc
    src/core/table/shared_lock.cc
    src/core/table/shared_memory.cc
    src/core/table/shared_table.cc
    src/core/websocket/deflate_negotiation.cc
    src/core/websocket/frame.cc
    src/core/websocket/frame_decoder.cc
    src/core/websocket/handshake.cc
    src/core/websocket/permessage_deflate.cc
    src/core/websocket/utf8.cc
    src/core/websocket/websocket_handshake.cc
    src/core/websocket/websocket_session.cc
  "

  WSSERVER_PHP_SOURCES="
    src/php/atomic.cc
    src/php/constants.cc
    src/php/coroutine.cc
    src/php/coroutine_barrier.cc
    src/php/coroutine_channel.cc
    src/php/coroutine_context.cc
    src/php/coroutine_timer.cc
    src/php/event.cc
    src/php/http_request.cc
    src/php/http_response.cc
    src/php/lock.cc
    src/php/module.cc
    src/php/server.cc
    src/php/server_connections.cc
    src/php/server_events.cc
    src/php/server_port.cc
    src/php/server_processes.cc
    src/php/server_settings.cc
    src/php/server_task.cc
    src/php/server_tasks.cc
    src/php/server_timers.cc
    src/php/table.cc
    src/php/websocket_frame.cc
    src/php/websocket_server.cc
  "

  PHP_NEW_EXTENSION(wsserver, $WSSERVER_CORE_SOURCES $WSSERVER_PHP_SOURCES, $ext_shared,, $WSSERVER_CXXFLAGS, cxx)

  PHP_ADD_BUILD_DIR($ext_builddir/src/core/coroutine)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/http)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/ipc)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/net)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/process)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/server)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/table)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/websocket)
  PHP_ADD_BUILD_DIR($ext_builddir/src/php)

  dnl One include style everywhere: "php_wsserver.h", "stubs/x_arginfo.h",
  dnl "core/websocket/frame.h", "php/classes.h".
  PHP_ADD_INCLUDE([$ext_srcdir])
  PHP_ADD_INCLUDE([$ext_srcdir/src])

  PHP_SUBST(WSSERVER_SHARED_LIBADD)
fi
