#!/bin/sh
mysqldump -u backup -pSummerStaple112! shop > /backup/shop.sql
