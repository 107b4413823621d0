#!/bin/sh
# A second PostgreSQL cluster ("bench", port 5433) set up the way a production server
# for Rapport would be: shared_buffers a quarter of RAM, effective_cache_size half,
# larger WAL and checkpoints, SSD page costs. Durability stays as shipped (fsync,
# synchronous_commit and full_page_writes on). The Debian cluster the tests use keeps
# its stock settings (shared_buffers 128 MB).
#
#   sh scripts/bench-postgres.sh          # create (once) and (re)start it
#   npm run bench:tuned                   # the record-engine benchmark against it
set -e
VER=$(ls /etc/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$VER/bench"; then
  pg_createcluster "$VER" bench -p 5433 >/dev/null
fi
DIR=/etc/postgresql/$VER/bench
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
cat > "$DIR/conf.d/rapport-bench.conf" <<CONF
listen_addresses = '127.0.0.1'
shared_buffers = $((mem_mb / 4))MB
effective_cache_size = $((mem_mb / 2))MB
maintenance_work_mem = 1GB
work_mem = 16MB
wal_buffers = 64MB
max_wal_size = 8GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
random_page_cost = 1.1
CONF
cat > "$DIR/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
pg_ctlcluster --skip-systemctl-redirect "$VER" bench restart 2>/dev/null ||
  pg_ctlcluster --skip-systemctl-redirect "$VER" bench start
pg_isready -h 127.0.0.1 -p 5433 -t 30 >/dev/null
echo "bench cluster on 127.0.0.1:5433: shared_buffers $((mem_mb / 4)) MB"
