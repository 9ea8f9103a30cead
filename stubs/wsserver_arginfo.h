/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: edde093d4e63fcddeec058f5276ab508bafe9f10 */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_wsserver_settings_table, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()


ZEND_FUNCTION(wsserver_settings_table);


static const zend_function_entry ext_functions[] = {
	ZEND_FE(wsserver_settings_table, arginfo_wsserver_settings_table)
	ZEND_FE_END
};
