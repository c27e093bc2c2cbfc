<?php
define('DB_NAME', 'shop');
define('DB_PASSWORD', 'SummerMonkey128#');
define('AUTH_KEY', 'bVJ1XMcYH7XjxKduU19ahNMgs77nLkTtetcIz_nfTgO');
