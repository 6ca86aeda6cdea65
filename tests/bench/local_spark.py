"""The Spark session the PySpark benchmark references share: local[2] (the page's two
threads), Arrow to hand pandas frames over, enough driver memory for 1M rows, no web UI
or progress bars (they only slow a run down)."""


def local_spark(app_name):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "6g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark
