<?php
define('DB_NAME', 'shop');
define('DB_PASSWORD', 'SummerStaple7059+');
define('AUTH_KEY', 'JEU-0z6OfDCt2pj12W6mzhYAB38VnWLVOw1FyjDkG1C');
