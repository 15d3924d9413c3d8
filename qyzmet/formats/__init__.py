"""Date and number formats per language (settings.FORMAT_MODULE_PATH).

Django ships none for Kazakh, so kk pages fell back to the American "Oct. 14, 2015" and
"10/14/2015"; and its English ones are American too. Here Kazakh writes dates the Kazakh way
("2015 жылғы 14 қазан", 14.10.2015) and numbers with a space between thousands and a decimal
comma, as Russian does (Django's ru formats); English on a Kazakhstan site writes "14 October
2015" and 14.10.2015, keeping its decimal point.
"""
