#!/usr/bin/env bash
# Measures logical (mariadb-dump) against physical (mariadb-backup) backups of the app's database.
set -euo pipefail

# Usage: scripts/measure-backup-methods.sh            (as root; takes roughly 5-20 minutes)
#
# What it does, all on throwaway servers that never touch a MariaDB the machine may run:
#   1. installs what it needs from apt if missing (mariadb-server-core mariadb-client
#      mariadb-backup zstd time), running `apt-get update` only if the first try fails;
#   2. starts the distribution's mariadbd on a private datadir/socket under
#      $MEASURE_DIR/run.XXXXXX (--skip-networking; port 3399 nominal), configured like
#      production: innodb_buffer_pool_size=128M, utf8mb4, log_bin ON, binlog_format=ROW;
#   3. fills database `hbnb` with ~350 MB of InnoDB data shaped like app/models
#      (states, cities, users, amenities, places, reviews, place_amenity; 36-char uuid-shaped
#      ids in VARCHAR(60), DATETIME(6) timestamps, word-salad descriptions and review texts),
#      generated server-side with INSERT ... SELECT from the Sequence engine;
#   4. measures with /usr/bin/time (wall seconds, peak RSS) and file sizes:
#      a. logical:  mariadb-dump --single-transaction ... | zstd -T0 -3, and its restore
#                   (zstd -dc | mariadb) into a second, fresh server;
#      b. physical: mariadb-backup --backup, --prepare, tar | zstd, --stream=mbstream | zstd,
#                   mbstream extraction, --copy-back into an empty datadir + server start,
#                   and --backup again with --log-copy-interval=10 (default 1000 ms), which
#                   bounds how long its BACKUP STAGE BLOCK_COMMIT holds commits;
#      c. during each backup, a stored procedure inserts one row every ~10 ms into another
#         database and records the worst insert latency (does the backup block writes?),
#         and the general query log shows which locks each tool takes;
#   5. prints a Markdown table of the results; removes everything it created on exit.
#
# Environment:
#   MEASURE_DIR     parent of the work directory (default /tmp/measure-backup)
#   MEASURE_SCALE   percentage of the default row counts (default 100: 40k users, 5k cities,
#                   95k places, 175k reviews, 285k place_amenity rows, about 350 MB)
#   MEASURE_KEEP=1  keep the work directory (backups, logs) instead of removing it
#   MEASURE_PORT    nominal port of the first server (default 3399; networking is off)
# Numbers depend on the machine: other load on the CPU, and a warm page cache (the data
# was just written), both show up in them; the script prints the load average.

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

base=${MEASURE_DIR:-/tmp/measure-backup}
scale=${MEASURE_SCALE:-100}
port=${MEASURE_PORT:-3399}
export PATH=$PATH:/usr/sbin

n_states=50
n_amenities=100
n_cities=$((5000 * scale / 100))
n_users=$((40000 * scale / 100))
n_places=$((95000 * scale / 100))
n_reviews=$((175000 * scale / 100))
amenities_per_place=3
chunk=50000
tables=(states cities users amenities places reviews place_amenity)

# --- packages --------------------------------------------------------------------------

install_packages() {
    local missing=()
    { command -v mariadbd || [ -x /usr/sbin/mariadbd ]; } >/dev/null 2>&1 || missing+=(mariadb-server-core)
    command -v mariadb-dump >/dev/null 2>&1 || missing+=(mariadb-client)
    command -v mariadb-backup >/dev/null 2>&1 || missing+=(mariadb-backup)
    command -v zstd >/dev/null 2>&1 || missing+=(zstd)
    [ -x /usr/bin/time ] || missing+=(time)
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing packages; run 'sudo apt-get install ${missing[*]}' first"
    log "installing from apt: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# --- throwaway servers -----------------------------------------------------------------

as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(--user=root)
servers=()      # socket paths of the servers started here, for the exit trap
probe_pid=

sql() { mariadb --no-defaults --protocol=socket --socket="$1" -uroot --batch --skip-column-names "${@:2}"; }
answering() { mariadb-admin --no-defaults --socket="$1" -uroot ping >/dev/null 2>&1; }

# start_server NAME [init]: server NAME on $work/NAME/{data,binlog,mysqld.sock}; with
# "init", creates the datadir first.  Sets started_in to its start-up seconds.
start_server() {
    local name=$1 dir=$work/$1 t0
    mkdir -p "$dir/data" "$dir/binlog"
    if [ "${2:-}" = init ]; then
        mariadb-install-db --no-defaults "${as_user[@]}" --datadir="$dir/data" \
            --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
            || { cat "$dir/install.log" >&2; die "mariadb-install-db failed for $name"; }
    fi
    servers+=("$dir/mysqld.sock")
    t0=$EPOCHREALTIME
    setsid nohup mariadbd --no-defaults "${as_user[@]}" --datadir="$dir/data" \
        --socket="$dir/mysqld.sock" --port="$3" --skip-networking \
        --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
        --skip-name-resolve --innodb-buffer-pool-size=128M \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        --server-id=1 --log-bin="$dir/binlog/mariadb-bin" --binlog-format=ROW \
        </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 600); do answering "$dir/mysqld.sock" && break; sleep 0.2; done
    answering "$dir/mysqld.sock" || { tail -20 "$dir/error.log" >&2; die "server $name did not start"; }
    started_in=$(elapsed "$t0")
}

stop_server() {
    local sock=$1 pidfile pid
    pidfile=$(dirname "$sock")/mariadbd.pid
    answering "$sock" || return 0
    pid=$(cat "$pidfile" 2>/dev/null || true)
    mariadb-admin --no-defaults --socket="$sock" -uroot shutdown >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
}

cleanup() {
    local sock
    [ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null
    for sock in "${servers[@]}"; do stop_server "$sock"; done
    if [ -n "${work:-}" ] && [ -d "$work" ]; then
        if [ "${MEASURE_KEEP:-0}" = 1 ]; then log "kept $work"
        else rm -rf "$work"; rmdir "$base" 2>/dev/null || true
        fi
    fi
}

# --- measuring helpers -----------------------------------------------------------------

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
size_of() { du -sb "$1" | cut -f1; }
# timed KEY CMD...: runs CMD under GNU time; the wall seconds and peak RSS go to time.KEY.
timed() { local key=$1; shift; /usr/bin/time -o "$work/time.$key" -f '%e s %M KB' "$@"; }
secs() { awk '/ s [0-9]+ KB$/ { print $1 }' "$work/time.$1"; }
rss_mb() { awk '/ s [0-9]+ KB$/ { printf "%.0f", $3 / 1024 }' "$work/time.$1"; }

# The write probe: one autocommit INSERT every ~10 ms into probe.w (another database than
# hbnb, so the backups' contents stay comparable); per phase: count, max and average latency.
setup_probe() {
    sql "$sock_a" <<'SQL'
CREATE DATABASE probe;
CREATE TABLE probe.w (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts DATETIME(6), pad VARCHAR(60)) ENGINE=InnoDB;
CREATE TABLE probe.ctl (stop_flag INT NOT NULL) ENGINE=InnoDB;
INSERT INTO probe.ctl VALUES (0);
CREATE TABLE probe.result (phase VARCHAR(32) PRIMARY KEY, n INT, max_us BIGINT, avg_us BIGINT, over_100ms INT) ENGINE=InnoDB;
DELIMITER //
CREATE PROCEDURE probe.run(IN p_phase VARCHAR(32))
BEGIN
  DECLARE t0 DATETIME(6);
  DECLARE lat, mx, total BIGINT DEFAULT 0;
  DECLARE n, slow INT DEFAULT 0;
  WHILE (SELECT stop_flag FROM probe.ctl) = 0 DO
    SET t0 = SYSDATE(6);
    INSERT INTO probe.w (ts, pad) VALUES (t0, UUID());
    SET lat = TIMESTAMPDIFF(MICROSECOND, t0, SYSDATE(6));
    SET n = n + 1, total = total + lat, mx = GREATEST(mx, lat);
    IF lat > 100000 THEN SET slow = slow + 1; END IF;
    DO SLEEP(0.01);
  END WHILE;
  REPLACE INTO probe.result VALUES (p_phase, n, mx, total DIV GREATEST(n, 1), slow);
END//
DELIMITER ;
SQL
}
start_probe() {
    sql "$sock_a" -e "UPDATE probe.ctl SET stop_flag = 0; SET GLOBAL general_log_file = '$work/general.$1.log'; SET GLOBAL general_log = ON"
    sql "$sock_a" -e "CALL probe.run('$1')" &
    probe_pid=$!
    sleep 2
}
stop_probe() {
    sleep 1
    sql "$sock_a" -e "SET GLOBAL general_log = OFF; UPDATE probe.ctl SET stop_flag = 1"
    wait "$probe_pid"
    probe_pid=
}
probe_max_ms() { sql "$sock_a" -e "SELECT ROUND(max_us / 1000) FROM probe.result WHERE phase = '$1'"; }
probe_line() {
    sql "$sock_a" -e "SELECT CONCAT(n, ' inserts, max ', ROUND(max_us / 1000, 1), ' ms, avg ', ROUND(avg_us / 1000, 1), ' ms, ', over_100ms, ' over 100 ms') FROM probe.result WHERE phase = '$1'"
}
# The locking statements a phase's general log shows (the probe's own statements left out).
locks_of() {
    grep -ohE "FLUSH TABLES WITH READ LOCK|FLUSH NO_WRITE_TO_BINLOG TABLES|FLUSH TABLES[^;]*|BACKUP STAGE [A-Z_]+|BACKUP LOCK[^;]*|LOCK TABLES[^;]*|UNLOCK TABLES|START TRANSACTION[^;]*|SET SESSION TRANSACTION ISOLATION LEVEL [A-Z ]+" \
        "$work/general.$1.log" \
        | awk '/^BACKUP LOCK `/ { if (!n++) print "BACKUP LOCK <table> (one table at a time)"; next } !seen[$0]++' \
        | paste -sd ';' | sed 's/;/; /g'
}

counts() {  # counts SOCKET: "table=rows ..." of hbnb
    local sock=$1 t q=""
    for t in "${tables[@]}"; do q+="${q:+ UNION ALL }SELECT '$t', COUNT(*) FROM hbnb.$t"; done
    sql "$sock" -e "$q" | awk '{ printf "%s%s=%s", sep, $1, $2; sep=" " }'
}

# --- data --------------------------------------------------------------------------------

# uuid-shaped (8-4-4-4-12) id of the KIND's row number EXPR, reproducible so that child
# rows can name their parents without a join.
uid() { printf "INSERT(INSERT(INSERT(INSERT(MD5(CONCAT('%s-',%s)),21,0,'-'),17,0,'-'),13,0,'-'),9,0,'-')" "$1" "$2"; }
ts() { printf "TIMESTAMPADD(MICROSECOND, FLOOR(RAND() * 126000000000000), '2021-01-01')"; }
words=(the a and of to in is it was for on with as at by this that from very nice great
    clean quiet cozy small large bright dark modern old charming lovely spacious comfortable
    room house apartment flat studio loft villa cabin garden terrace balcony kitchen bed
    bathroom shower view sea lake mountain city center street park beach river station
    host owner guest family friends stay night week weekend trip visit holiday location
    close near far walk minutes bus metro train airport shop restaurant cafe bar market
    museum would again recommend definitely perfect good bad ok noisy warm cold wifi fast
    slow parking free easy check arrival late early helpful friendly welcoming responsive
    everything needed towels linen coffee tea breakfast fridge oven washing machine dryer
    heating air conditioning sofa table chairs desk tv netflix books games toys cot crib
    stairs elevator floor door key code lock safe dog cat pets allowed smoking not we our
    my they he she you had have has were are be been stayed loved enjoyed liked found felt
    really quite just also but so because when while after before during every each other
    new renovated decorated furnished equipped located situated surrounded beautiful amazing
    wonderful fantastic excellent superb stunning gorgeous peaceful relaxing convenient)
word_list=$(printf ",'%s'" "${words[@]}")
word() { printf "ELT(1 + FLOOR(RAND() * %d)%s)" "${#words[@]}" "$word_list"; }
text() {  # text MIN MAX: random words, cut to between MIN and MAX characters
    local i parts=()
    for ((i = 0; i < $2 / 5; i++)); do parts+=("$(word)"); done
    printf "LEFT(CONCAT_WS(' ', %s), %d + FLOOR(RAND() * %d))" "$(IFS=,; echo "${parts[*]}")" "$1" "$(($2 - $1))"
}

# fill TABLE ROWS SELECT-LIST [EXTRA-FROM]: INSERT ... SELECT in chunks of $chunk rows, s.seq
# being the row number.
fill() {
    local table=$1 rows=$2 select=$3 from=${4:-} lo hi
    for ((lo = 1; lo <= rows; lo += chunk)); do
        hi=$((lo + chunk - 1)); ((hi > rows)) && hi=$rows
        # on stdin: the word-salad expressions exceed the kernel's limit on one argument
        sql "$sock_a" hbnb <<<"SET SESSION foreign_key_checks = 0, unique_checks = 0;
            INSERT INTO $table SELECT $select FROM seq_${lo}_to_${hi} s $from"
    done
}

generate_data() {
    sql "$sock_a" <<'SQL'
CREATE DATABASE hbnb CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE hbnb;
CREATE TABLE states (
  id VARCHAR(60) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
  name VARCHAR(128) NOT NULL,
  PRIMARY KEY (id)) ENGINE=InnoDB;
CREATE TABLE amenities (
  id VARCHAR(60) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
  name VARCHAR(128) NOT NULL,
  PRIMARY KEY (id)) ENGINE=InnoDB;
CREATE TABLE users (
  id VARCHAR(60) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
  email VARCHAR(128) NOT NULL, password VARCHAR(255) NOT NULL,
  first_name VARCHAR(128) NULL, last_name VARCHAR(128) NULL,
  PRIMARY KEY (id)) ENGINE=InnoDB;
CREATE TABLE cities (
  id VARCHAR(60) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
  state_id VARCHAR(60) NOT NULL, name VARCHAR(128) NOT NULL,
  PRIMARY KEY (id), KEY ix_cities_state_id (state_id),
  FOREIGN KEY (state_id) REFERENCES states (id) ON DELETE CASCADE) ENGINE=InnoDB;
CREATE TABLE places (
  id VARCHAR(60) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
  city_id VARCHAR(60) NOT NULL, user_id VARCHAR(60) NOT NULL, name VARCHAR(128) NOT NULL,
  description VARCHAR(1024) NULL, number_rooms INT NOT NULL, number_bathrooms INT NOT NULL,
  max_guest INT NOT NULL, price_by_night INT NOT NULL, latitude DOUBLE NULL, longitude DOUBLE NULL,
  PRIMARY KEY (id), KEY ix_places_city_id (city_id), KEY ix_places_user_id (user_id),
  FOREIGN KEY (city_id) REFERENCES cities (id) ON DELETE CASCADE,
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE) ENGINE=InnoDB;
CREATE TABLE reviews (
  id VARCHAR(60) NOT NULL, created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,
  place_id VARCHAR(60) NOT NULL, user_id VARCHAR(60) NOT NULL, text VARCHAR(1024) NOT NULL,
  PRIMARY KEY (id), KEY ix_reviews_place_id (place_id), KEY ix_reviews_user_id (user_id),
  FOREIGN KEY (place_id) REFERENCES places (id) ON DELETE CASCADE,
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE) ENGINE=InnoDB;
CREATE TABLE place_amenity (
  place_id VARCHAR(60) NOT NULL, amenity_id VARCHAR(60) NOT NULL,
  PRIMARY KEY (place_id, amenity_id),
  FOREIGN KEY (place_id) REFERENCES places (id) ON DELETE CASCADE ON UPDATE CASCADE,
  FOREIGN KEY (amenity_id) REFERENCES amenities (id) ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB;
SQL
    local t
    t=$(ts)
    fill states "$n_states" "$(uid state s.seq), @t := $t, @t, CONCAT('State ', s.seq)"
    fill amenities "$n_amenities" "$(uid amenity s.seq), @t := $t, @t, CONCAT('Amenity ', s.seq)"
    fill cities "$n_cities" "$(uid city s.seq), @t := $t, @t, $(uid state "1 + s.seq % $n_states"), CONCAT('City ', s.seq)"
    fill users "$n_users" "$(uid user s.seq), @t := $t, @t, CONCAT('user', s.seq, '@example.com'),
        CONCAT('scrypt:32768:8:1\$', LEFT(MD5(RAND()), 16), '\$', SHA2(RAND(), 512)),
        $(word), $(word)"
    fill places "$n_places" "$(uid place s.seq), @t := $t, @t,
        $(uid city "1 + s.seq * 7919 % $n_cities"), $(uid user "1 + s.seq * 104729 % $n_users"),
        CONCAT($(word), ' ', $(word), ' ', s.seq), $(text 50 450),
        1 + FLOOR(RAND() * 5), 1 + FLOOR(RAND() * 3), 1 + FLOOR(RAND() * 10), 20 + FLOOR(RAND() * 480),
        RAND() * 180 - 90, RAND() * 360 - 180"
    fill reviews "$n_reviews" "$(uid review s.seq), @t := $t, @t,
        $(uid place "1 + s.seq * 15485863 % $n_places"), $(uid user "1 + s.seq * 32452843 % $n_users"),
        $(text 40 360)"
    fill place_amenity "$n_places" "$(uid place s.seq), $(uid amenity "1 + (s.seq * 7 + j.seq * 31) % $n_amenities")" \
        ", seq_1_to_$amenities_per_place j"
    sql "$sock_a" hbnb -e "ANALYZE TABLE $(IFS=,; echo "${tables[*]}")" >/dev/null
}

# --- the run -----------------------------------------------------------------------------

[ "$scale" -ge 1 ] 2>/dev/null || die "MEASURE_SCALE must be a positive integer (a percentage)"
install_packages
mkdir -p "$base"
work=$(mktemp -d "$base/run.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT TERM
sock_a=$work/a/mysqld.sock

log "work directory $work; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_server a init "$port"
version=$(sql "$sock_a" -e "SELECT VERSION()")
log "MariaDB $version ($(mariadb-backup --version 2>&1 | head -1))"

log "generating the data (${scale}% of the default row counts)..."
t0=$EPOCHREALTIME
generate_data
gen_secs=$(elapsed "$t0")
data_bytes=$(sql "$sock_a" -e "SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'hbnb'")
rows_a=$(counts "$sock_a")
log "generated in ${gen_secs}s: hbnb = $(mb "$data_bytes") MB (data_length + index_length); rows: $rows_a"
sql "$sock_a" -e "SELECT table_name, table_rows, ROUND(data_length / 1048576, 1) AS data_mb, ROUND(index_length / 1048576, 1) AS index_mb
    FROM information_schema.tables WHERE table_schema = 'hbnb' ORDER BY table_name" | column -t >&2
log "on disk: datadir $(mb "$(size_of "$work/a/data")") MB, binary logs $(mb "$(size_of "$work/a/binlog")") MB"
setup_probe
start_probe idle; sleep 10; stop_probe
log "write probe with no backup running: $(probe_line idle)"

# a. logical ------------------------------------------------------------------------------
log "logical backup: mariadb-dump | zstd..."
start_probe dump
t0=$EPOCHREALTIME
timed dump mariadb-dump --no-defaults --socket="$sock_a" -uroot --single-transaction --routines --triggers \
    --events --master-data=2 --gtid --databases hbnb 2>"$work/dump.err" \
    | timed dump_zstd zstd -q -T0 -3 >"$work/hbnb.sql.zst"
dump_wall=$(elapsed "$t0")
stop_probe
dump_size=$(size_of "$work/hbnb.sql.zst")
dump_raw=$(zstd -dc "$work/hbnb.sql.zst" | wc -c)
log "  ${dump_wall}s, $(mb "$dump_size") MB compressed ($(mb "$dump_raw") MB of SQL); probe: $(probe_line dump)"

log "logical restore: zstd -dc | mariadb into a fresh, running server..."
start_server b init $((port + 1))
t0=$EPOCHREALTIME
zstd -dc "$work/hbnb.sql.zst" | timed restore_logical mariadb --no-defaults --socket="$work/b/mysqld.sock" -uroot
restore_logical_wall=$(elapsed "$t0")
rows_b=$(counts "$work/b/mysqld.sock")
b_pid=$(cat "$work/b/mariadbd.pid")
b_hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$b_pid/status")
[ "$rows_b" = "$rows_a" ] || die "logical restore: row counts differ: $rows_b"
log "  ${restore_logical_wall}s, row counts match; target server peak RSS ${b_hwm} MB"
stop_server "$work/b/mysqld.sock"
rm -rf "$work/b"

# b. physical -----------------------------------------------------------------------------
log "physical backup: mariadb-backup --backup to a directory..."
start_probe backup
timed phys_backup mariadb-backup --no-defaults --backup --target-dir="$work/phys" \
    --socket="$sock_a" --user=root 2>"$work/phys-backup.log" \
    || { tail -20 "$work/phys-backup.log" >&2; die "mariadb-backup --backup failed"; }
stop_probe
phys_size=$(size_of "$work/phys")
log "  $(secs phys_backup)s, $(mb "$phys_size") MB; probe: $(probe_line backup)"

log "physical backup: mariadb-backup --prepare..."
timed phys_prepare mariadb-backup --no-defaults --prepare --target-dir="$work/phys" 2>"$work/phys-prepare.log" \
    || { tail -20 "$work/phys-prepare.log" >&2; die "mariadb-backup --prepare failed"; }
prepared_size=$(size_of "$work/phys")
log "  $(secs phys_prepare)s, $(mb "$prepared_size") MB after prepare"

log "physical backup: tar | zstd of the prepared directory..."
t0=$EPOCHREALTIME
timed tar tar -C "$work/phys" -c . | timed tar_zstd zstd -q -T0 -3 >"$work/phys.tar.zst"
tar_wall=$(elapsed "$t0")
tar_size=$(size_of "$work/phys.tar.zst")
log "  ${tar_wall}s, $(mb "$tar_size") MB"

log "physical backup: mariadb-backup --stream=mbstream | zstd..."
start_probe stream
t0=$EPOCHREALTIME
mkdir -p "$work/stream-tmp"
timed stream mariadb-backup --no-defaults --backup --stream=mbstream --target-dir="$work/stream-tmp" \
    --socket="$sock_a" --user=root 2>"$work/phys-stream.log" \
    | timed stream_zstd zstd -q -T0 -3 >"$work/phys.mbstream.zst"
stream_wall=$(elapsed "$t0")
stop_probe
stream_size=$(size_of "$work/phys.mbstream.zst")
log "  ${stream_wall}s, $(mb "$stream_size") MB; probe: $(probe_line stream)"

log "physical backup again with --log-copy-interval=10..."
start_probe backup_lci
timed phys_backup_lci mariadb-backup --no-defaults --backup --log-copy-interval=10 \
    --target-dir="$work/phys-lci" --socket="$sock_a" --user=root 2>"$work/phys-backup-lci.log" \
    || { tail -20 "$work/phys-backup-lci.log" >&2; die "mariadb-backup --backup --log-copy-interval=10 failed"; }
stop_probe
log "  $(secs phys_backup_lci)s; probe: $(probe_line backup_lci)"
rm -rf "$work/phys-lci"

log "physical: extracting the stream (zstd -dc | mbstream -x)..."
mkdir -p "$work/stream-x"
t0=$EPOCHREALTIME
zstd -dc "$work/phys.mbstream.zst" | timed unstream mbstream -x -C "$work/stream-x"
unstream_wall=$(elapsed "$t0")
log "  ${unstream_wall}s, $(mb "$(size_of "$work/stream-x")") MB (still to be prepared)"
rm -rf "$work/stream-x" "$work/stream-tmp"

log "physical restore: mariadb-backup --copy-back into an empty datadir, then start a server on it..."
mkdir -p "$work/c/data"
timed copy_back mariadb-backup --no-defaults --copy-back --target-dir="$work/phys" \
    --datadir="$work/c/data" 2>"$work/phys-copyback.log" \
    || { tail -20 "$work/phys-copyback.log" >&2; die "mariadb-backup --copy-back failed"; }
chown -R "$(id -un):$(id -gn)" "$work/c/data"
start_server c "" $((port + 2))
c_start=$started_in
rows_c=$(counts "$work/c/mysqld.sock")
[ "$rows_c" = "$rows_a" ] || die "physical restore: row counts differ: $rows_c"
log "  copy-back $(secs copy_back)s, server start ${c_start}s, row counts match"
stop_server "$work/c/mysqld.sock"

# c. locks --------------------------------------------------------------------------------
dump_locks=$(locks_of dump)
backup_locks=$(locks_of backup)
backup_stages=$(grep -oE "BACKUP STAGE [A-Z_]+|Acquiring BACKUP LOCKS|[Bb]ackup lock[^.]*|FLUSH TABLES WITH READ LOCK" \
    "$work/phys-backup.log" | awk '!seen[$0]++' | paste -sd ';' | sed 's/;/; /g')

# --- report -------------------------------------------------------------------------------

restore_phys_total=$(awk -v a="$(secs copy_back)" -v b="$c_start" 'BEGIN { printf "%.1f", a + b }')
cat <<REPORT

## Backup methods measured ($(date -u +%Y-%m-%dT%H:%MZ))

MariaDB $version, $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); warm page cache.
Database hbnb: $(mb "$data_bytes") MB (data_length + index_length), generated in ${gen_secs}s.
Rows: $rows_a

| Step | Wall (s) | Peak RSS (MB) | Output (MB) | Max insert latency during it (ms) |
|---|---:|---:|---:|---:|
| no backup (write probe baseline) | | | | $(probe_max_ms idle) |
| logical: mariadb-dump \| zstd -3 | $dump_wall | dump $(rss_mb dump), zstd $(rss_mb dump_zstd) | $(mb "$dump_size") ($(mb "$dump_raw") SQL) | $(probe_max_ms dump) |
| logical restore: zstd -dc \| mariadb (fresh server) | $restore_logical_wall | client $(rss_mb restore_logical), server $b_hwm | | |
| physical: mariadb-backup --backup (dir) | $(secs phys_backup) | $(rss_mb phys_backup) | $(mb "$phys_size") | $(probe_max_ms backup) |
| physical: --prepare | $(secs phys_prepare) | $(rss_mb phys_prepare) | $(mb "$prepared_size") | |
| physical: tar \| zstd -3 of prepared dir | $tar_wall | zstd $(rss_mb tar_zstd) | $(mb "$tar_size") | |
| physical: --backup --stream=mbstream \| zstd -3 | $stream_wall | backup $(rss_mb stream), zstd $(rss_mb stream_zstd) | $(mb "$stream_size") | $(probe_max_ms stream) |
| physical: --backup --log-copy-interval=10 (dir) | $(secs phys_backup_lci) | $(rss_mb phys_backup_lci) | | $(probe_max_ms backup_lci) |
| physical: zstd -dc \| mbstream -x | $unstream_wall | $(rss_mb unstream) | | |
| physical restore: --copy-back | $(secs copy_back) | $(rss_mb copy_back) | | |
| physical restore: server start on it | $c_start | | | |
| physical restore total (copy-back + start; + prepare if not done at backup time) | $restore_phys_total | | | |

Write probe (one autocommit INSERT every ~10 ms in another database):
- idle:   $(probe_line idle)
- dump:   $(probe_line dump)
- backup: $(probe_line backup)
- stream: $(probe_line stream)
- backup, --log-copy-interval=10: $(probe_line backup_lci)

Locks, from the general query log:
- mariadb-dump:   ${dump_locks:-none}
- mariadb-backup: ${backup_locks:-none}
- mariadb-backup's own log: ${backup_stages:-nothing about locks}

Restore: logical = per database into a running server; physical = the whole instance
(all databases, mysql.* users included), into an empty datadir with the server stopped.
REPORT
