#!/usr/bin/env bash
# A one-node Slurm cluster on this machine: munged, slurmctld and slurmd with a minimal
# configuration in a temporary folder, `mandat run --shard slurm` submitted as a 4-task job
# array and `mandat merge` as a job that depends on it (afterok), polled with squeue; the
# merged folder must be the single-process run's byte for byte. The daemons are stopped on
# every exit. Installs slurm-wlm and munge when missing; skips (77) only when it cannot.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}"
. "$MDT_SOURCE_DIR/tests/e2e/scheduler_lib.sh"
need_packages sbatch squeue slurmctld slurmd munged -- slurm-wlm munge
scenario="$MDT_SOURCE_DIR/tests/fixtures/run/scenario-shard.ini"
tmp=$(mktemp -d)
chmod 755 "$tmp"
fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/log/*.log "$tmp"/work/*.out; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
  done
  exit 1
}
stop_daemons() {
  # Only the daemons this test started, by the process ids they wrote.
  local f pid
  for f in "$tmp/run/slurmd.pid" "$tmp/run/slurmctld.pid" "$tmp/run/munged.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  done
  rm -rf "$tmp"
}
trap stop_daemons EXIT
mkdir -p "$tmp/run" "$tmp/log" "$tmp/state" "$tmp/spool" "$tmp/work" "$tmp/munge"
chmod 700 "$tmp/munge"

# munge: its own key and socket; as root it needs --force.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged --force --socket="$tmp/munge/munge.sock" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/run/munged.pid" --log-file="$tmp/log/munged.log" \
  --seed-file="$tmp/munge/munged.seed" || fail "munged did not start"

read -r ctld_port slurmd_port < <(free_ports)
cpus=$(nproc)
export SLURM_CONF="$tmp/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=mandattest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
SwitchType=switch/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=600
NodeName=mandatnode NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=mandatnode Default=YES MaxTime=10 State=UP
CONF
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N mandatnode || fail "slurmd did not start"
for i in $(seq 150); do
  state=$(sinfo -h -n mandatnode -o %t 2> /dev/null || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  [ "$i" -eq 150 ] && fail "the node did not become idle (state '$state')"
  sleep 0.2
done

# The single-process run to compare with.
cd "$tmp/work"
"$MANDAT" run "$scenario" --out single --quiet

# The job scripts an analyst submits (README, "Beyond one machine").
cat > shards.sh <<JOB
#!/bin/bash
#SBATCH --job-name=mandat-shards
#SBATCH --array=1-4
#SBATCH --cpus-per-task=1
#SBATCH --output=shard-%a.out
set -e
mkdir -p parts
"$MANDAT" run "$scenario" --shard slurm --threads 1 --out "parts/part-\$SLURM_ARRAY_TASK_ID" --quiet
JOB
cat > merge.sh <<JOB
#!/bin/bash
#SBATCH --job-name=mandat-merge
#SBATCH --output=merge.out
set -e
"$MANDAT" merge parts/part-* --out merged --quiet
JOB
array=$(sbatch --parsable shards.sh) || fail "sbatch of the shards"
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" merge.sh) || fail "sbatch of the merge"
merge=${merge%%;*}
for i in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" -o %i 2> /dev/null)" ] && break
  [ "$i" -eq 600 ] && fail "the jobs did not finish in 120 s: $(squeue -j "$array,$merge" 2>&1)"
  sleep 0.2
done
for k in 1 2 3 4; do [ -s "parts/part-$k" ] || fail "shard $k wrote no part"; done
[ -d merged ] || fail "the merge job wrote no folder: $(scontrol show job "$merge" 2>&1 | grep -E 'JobState|ExitCode')"
scontrol show job "$merge" | grep -q "JobState=COMPLETED" || fail "the merge job did not complete"
same_as_single single merged "Slurm job array of 4"
echo "ok"
