"""All the demo data in one place, loaded by `python -m qyzmet demo load` (`make run`, `make setup`).

providers.py: the catalogue's providers with staff for every role (`<code>.<role>`, password demo);
office.py: reception clerks where a paper channel needs one; psc.py: Population Service Centres
and their operators; applicants.py: portal applicants with key files; applications.py: a few
hundred applications driven through the engine to every stage. It sits above every other app
(it seeds what the faces need), and nothing but its commands and tests imports it.
"""
