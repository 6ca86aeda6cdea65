"""Runs exported Brasa PySpark scripts one after another in this Python process, so
Spark's JVM starts once for all of them, and prints each script's BRASA_RESULT line
after a `BRASA_JOB <n>` line.

Usage: run_pyspark_jobs.py SCRIPT DATA [SCRIPT DATA ...]

Each script runs as `python SCRIPT DATA` would (as __main__, with sys.argv set); its
`spark.stop()` stops the SparkContext, and the next script's `getOrCreate()` starts a
new one on the same JVM.
"""
import runpy
import sys

args = sys.argv[1:]
if len(args) % 2:
    sys.exit("usage: run_pyspark_jobs.py SCRIPT DATA [SCRIPT DATA ...]")
for n, (script, data) in enumerate(zip(args[::2], args[1::2])):
    print(f"BRASA_JOB {n}", flush=True)
    sys.argv = [script, data]
    runpy.run_path(script, run_name="__main__")
    sys.stdout.flush()
