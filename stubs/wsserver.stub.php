<?php

/** @generate-function-entries */

/**
 * Internal, not part of Swoole's API: the rows of the set() settings table, for
 * scripts/settings_doc.php (which prints docs/SETTINGS.md) and its test.
 */
function wsserver_settings_table(): array {}
