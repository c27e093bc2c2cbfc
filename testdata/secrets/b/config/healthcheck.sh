#!/bin/sh
curl -fsS -H "Authorization: Bearer kcD4jU4INMjrewi3ydG5Hdvwp3pcb4KnQoI6VxHtKbC" https://api.example/health
