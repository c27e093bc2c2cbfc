#!/bin/sh
mysqldump -u backup -pbatteryBattery5111% shop > /backup/shop.sql
