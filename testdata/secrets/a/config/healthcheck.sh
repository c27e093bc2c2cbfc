#!/bin/sh
curl -fsS -H "Authorization: Bearer e6KCojtzwd3uv4Pg5TKqgFo5-DOoNtI1HocaVxhPufe" https://api.example/health
