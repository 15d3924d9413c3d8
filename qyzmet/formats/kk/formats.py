# Kazakh: "2015 жылғы 14 қазан", 14.10.2015, 12 345,5 (see qyzmet/formats/__init__.py).
DATE_FORMAT = "Y \\ж\\ы\\л\\ғ\\ы j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y \\ж\\ы\\л\\ғ\\ы j E, H:i"
YEAR_MONTH_FORMAT = "Y \\ж\\ы\\л\\ғ\\ы F"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
