#!/bin/sh
curl -fsS -H "Authorization: Bearer yWmbg4TsMRKzKvNjBO2rAPfkaFZLvIzIghYklESWhSV" https://api.example/health
