"""Load an SQL dump into the application's database, once.

    python3 load_sql_seed.py --env-file /etc/airbnb/app.env DUMP.sql

It connects as the application's own user to the application's database,
and loads the dump only if that database holds no rows at all, so a re-run
never overwrites data.  Statements that would reach beyond that database
(DROP/CREATE DATABASE, USE, CREATE/ALTER/DROP/RENAME USER, SET PASSWORD,
GRANT, REVOKE, FLUSH) are left out and reported: the curriculum's dumps start
with them, and they would reset the generated password or drop the data.
Prints one JSON object: {"loaded": n, "left_out": [...], "skipped": reason}.
"""
import argparse
import json
import os
import re
import sys

from common import connect, load_env_file, table_names

LEFT_OUT = re.compile(
    r"^(DROP\s+(DATABASE|SCHEMA)|CREATE\s+(DATABASE|SCHEMA)|USE\b"
    r"|(CREATE|ALTER|DROP|RENAME)\s+(USER|ROLE)|SET\s+(PASSWORD|DEFAULT\s+ROLE)"
    r"|GRANT\b|REVOKE\b|FLUSH\b)", re.IGNORECASE)
VERSIONED_COMMENT = re.compile(r"^/\*!\d*\s*(.*?)\s*\*/$", re.DOTALL)


def statements(text):
    """Split SQL text on ";" outside strings, identifiers and comments.
    Comments are dropped except MySQL's executable /*! ... */ ones."""
    current, index, length = [], 0, len(text)
    while index < length:
        char = text[index]
        pair = text[index:index + 2]
        if char in "'\"`":
            end = index + 1
            while end < length:
                if text[end] == "\\" and char != "`":
                    end += 2
                    continue
                if text[end] == char:
                    if text[end + 1:end + 2] == char:  # doubled quote
                        end += 2
                        continue
                    break
                end += 1
            current.append(text[index:end + 1])
            index = end + 1
        elif pair == "/*":
            end = text.find("*/", index + 2)
            end = length if end < 0 else end + 2
            if text.startswith("/*!", index):
                current.append(text[index:end])
            index = end
        elif pair == "--" and text[index + 2:index + 3] in (" ", "\t", "\n", "\r", "") or char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end
        elif char == ";":
            yield "".join(current).strip()
            current, index = [], index + 1
        else:
            current.append(char)
            index += 1
    rest = "".join(current).strip()
    if rest:
        yield rest


def head(statement):
    """What a statement does, for the checks and the report."""
    match = VERSIONED_COMMENT.match(statement)
    return " ".join((match.group(1) if match else statement).split())


def tables_with_rows(connection):
    """Tables of the database that hold at least one row."""
    cursor = connection.cursor()
    found = []
    for table in table_names(connection):
        cursor.execute("SELECT 1 FROM `{}` LIMIT 1".format(table.replace("`", "``")))
        if cursor.fetchone():
            found.append(table)
    cursor.close()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", required=True)
    parser.add_argument("dump")
    args = parser.parse_args()
    load_env_file(args.env_file)
    if not os.path.isfile(args.dump):
        sys.exit("airbnb_app_sql_seed: {} does not exist (a path inside the release, "
                 "or an absolute path on the controller)".format(args.dump))
    with open(args.dump, encoding="utf-8") as handle:
        text = handle.read()
    if re.search(r"^\s*DELIMITER\s", text, re.IGNORECASE | re.MULTILINE):
        sys.exit("{}: DELIMITER (procedures, triggers) is not supported".format(args.dump))
    connection = connect()
    filled = tables_with_rows(connection)
    if filled:
        print(json.dumps({"loaded": 0, "left_out": [],
                          "skipped": "the database already holds rows (in {}): the seed is loaded "
                                     "only into an empty database".format(", ".join(filled))}))
        return 0
    cursor = connection.cursor()
    # mysqldump's own header does the same; a dump without it may drop a
    # parent table first.  Session only.
    cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
    loaded, left_out = 0, []
    for number, statement in enumerate(statements(text), 1):
        what = head(statement)
        if not what:
            continue
        if LEFT_OUT.match(what):
            left_out.append(what[:120])
            continue
        try:
            cursor.execute(statement)
        except Exception as error:  # the driver's own error classes differ
            connection.rollback()
            sys.exit("{}: statement {} failed ({}): {}\n{} statements were loaded before it".format(
                args.dump, number, what[:120], error, loaded))
        loaded += 1
    cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    connection.commit()
    connection.close()
    print(json.dumps({"loaded": loaded, "left_out": left_out, "skipped": ""}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
