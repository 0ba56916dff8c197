#!/usr/bin/env bash
# A single-node Slurm on loopback, for the tests and benchmarks: munge, slurmctld and slurmd as root,
# with their configuration, state and logs in one folder (nothing in /etc/slurm is touched).
#   scripts/slurm.sh start DIR    prints "export SLURM_CONF=DIR/slurm.conf" once the node is idle
#   scripts/slurm.sh stop DIR
set -euo pipefail
action="${1:?start|stop}"; dir="${2:?folder}"
conf="$dir/slurm.conf"
case "$action" in
start)
  [ "$(id -u)" -eq 0 ] || { echo "slurm.sh: the Slurm daemons run as root" >&2; exit 1; }
  mkdir -p "$dir/state" "$dir/spool"
  install -d -o munge -g munge -m 0755 /run/munge
  [ -s /etc/munge/munge.key ] || mungekey --create --force >/dev/null
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  host="$(hostname -s)"
  cat > "$conf" <<CONF
ClusterName=tessera-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${SLURM_CTLD_PORT:-36817}
SlurmdPort=${SLURMD_PORT:-36818}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=600
KillWait=5
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0
DefMemPerCPU=100
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=$host MaxTime=60 State=UP
CONF
  export SLURM_CONF="$conf"
  /usr/sbin/slurmctld
  /usr/sbin/slurmd
  if ! timeout 60 bash -c 'until sinfo -h -o %T 2>/dev/null | grep -qE "^idle"; do sleep 0.5; done'; then
    echo "slurm.sh: the node did not become idle within 60 s (see $dir/slurmctld.log and $dir/slurmd.log)" >&2
    exit 1
  fi
  echo "export SLURM_CONF=$conf"
  ;;
stop)
  SLURM_CONF="$conf" scontrol shutdown >/dev/null 2>&1 || true
  for pidfile in "$dir/slurmctld.pid" "$dir/slurmd.pid"; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  ;;
*) echo "slurm.sh: start|stop DIR" >&2; exit 2 ;;
esac
