#!/bin/sh
curl -fsS -H "Authorization: Bearer g8AT4oROWXLkD4S233IxtgQTWiOwsoA9DTuAMvrZ2-S" https://api.example/health
