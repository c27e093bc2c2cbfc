#!/bin/sh
mysqldump -u backup -pmonkeyCorrect958% shop > /backup/shop.sql
