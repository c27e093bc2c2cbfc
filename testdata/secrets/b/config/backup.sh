#!/bin/sh
mysqldump -u backup -pcorrectStaple7205& shop > /backup/shop.sql
