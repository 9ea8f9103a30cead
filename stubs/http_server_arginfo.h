/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 4b5c98acdcdaf1c722ea08557aa1a83c01781cd3 */




static const zend_function_entry class_Swoole_Http_Server_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_Swoole_Http_Server(zend_class_entry *class_entry_Swoole_Server)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Swoole\\Http", "Server", class_Swoole_Http_Server_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_Swoole_Server);

	return class_entry;
}
