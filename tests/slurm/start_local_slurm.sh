#!/usr/bin/env bash
# Install and start a single-node SLURM cluster on THIS machine, for the tests only
# (tests/test_slurm.py). Debian 12, run as root, no systemd needed. It overwrites
# /etc/slurm/{slurm,slurmdbd,gres}.conf: never run it on a real cluster node.
#
# What it sets up, all on loopback:
#   munged; MariaDB (skip-networking, reached over its socket) holding the accounting
#   database; slurmdbd (sacct needs it: Slurm 22.05 has no file-based accounting);
#   slurmctld and slurmd on one node named after this host, NodeAddr 127.0.0.1, with
#   the machine's CPUs and memory and two fake GPUs (gres gpu:fake:2 on /dev/null and
#   /dev/zero: jobs get CUDA_VISIBLE_DEVICES, and our code still finds no CUDA and
#   runs on the CPU); partition "debug", account "actstudy" with user root.
# Idempotent: a second call finds the cluster up and only waits for the node.
# Logs: /var/log/slurm/.
set -euo pipefail

CLUSTER=actstudy
PARTITION=debug
ACCOUNT=actstudy
HOST=$(hostname -s)
CONF=/etc/slurm
LOGS=/var/log/slurm

log() { echo "[local-slurm] $*" >&2; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq "$((seconds * 4))"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    log "timed out after ${seconds}s waiting for $what"
    tail -n 30 "$LOGS"/*.log 2>/dev/null >&2 || true
    return 1
}

node_ready() { sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; }

if [ "$(id -u)" != 0 ]; then
    log "needs root (it installs packages and starts daemons)"
    exit 1
fi

if command -v scontrol >/dev/null && scontrol ping 2>/dev/null | grep -q UP && node_ready \
    && pgrep -x mariadbd >/dev/null && sacct -n -X -S now >/dev/null 2>&1; then
    log "already running"
    exit 0
fi
# Anything half up (e.g. the database died under the daemons) is stopped and started again.
pkill -x slurmctld || true
pkill -x slurmd || true
pkill -x slurmdbd || true
for _ in $(seq 30); do
    pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || pgrep -x slurmdbd >/dev/null || break
    sleep 1
done

if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null || ! command -v mariadbd >/dev/null; then
    log "installing munge, slurm (ctld, d, dbd, client) and mariadb-server"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        munge slurmctld slurmd slurm-client slurmdbd mariadb-server >/dev/null
fi

mkdir -p "$LOGS" /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /run/munge /run/mysqld
chown munge:munge /run/munge
chown mysql:mysql /run/mysqld

# munge: the key comes with the package
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
fi
wait_for 10 munge munge -n

# MariaDB, socket only
if ! pgrep -x mariadbd >/dev/null; then
    [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    (mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock \
        >"$LOGS/mariadb.log" 2>&1 &)
fi
wait_for 30 MariaDB mariadb -e 'SELECT 1'
mariadb -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
            CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm';
            GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"

CPUS=$(nproc)
MEMORY_MB=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 2048))

cat >"$CONF/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=slurm
LogFile=$LOGS/slurmdbd.log
PidFile=/run/slurmdbd.pid
EOF
chmod 600 "$CONF/slurmdbd.conf"

cat >"$CONF/slurm.conf" <<EOF
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
GresTypes=gpu
ReturnToService=2
MinJobAge=600
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStorageEnforce=associations
JobAcctGatherType=jobacct_gather/none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEMORY_MB Gres=gpu:fake:2 State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

cat >"$CONF/gres.conf" <<EOF
AutoDetect=off
NodeName=$HOST Name=gpu Type=fake File=/dev/null
NodeName=$HOST Name=gpu Type=fake File=/dev/zero
EOF

if ! pgrep -x slurmdbd >/dev/null; then
    slurmdbd
fi
wait_for 30 slurmdbd sacctmgr -n list cluster
sacctmgr -i add cluster "$CLUSTER" >/dev/null 2>&1 || true
sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" Description=tests Organization=tests >/dev/null 2>&1 || true
sacctmgr -i add user root Account="$ACCOUNT" Cluster="$CLUSTER" >/dev/null 2>&1 || true

if ! pgrep -x slurmctld >/dev/null; then
    slurmctld
fi
wait_for 30 slurmctld scontrol ping
if ! pgrep -x slurmd >/dev/null; then
    slurmd
fi
wait_for 60 "node $HOST" node_ready
log "up: cluster $CLUSTER, partition $PARTITION, account $ACCOUNT, node $HOST ($CPUS CPUs, ${MEMORY_MB} MB, gpu:fake:2)"
