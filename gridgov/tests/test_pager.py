"""Long lists page with numbers: the pager links the first, last and nearby pages by number."""

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_the_pager_links_pages_by_number_and_keeps_the_filters():
    request = RequestFactory().get("/cases/", {"queue": "all", "page": "7", "q": "井盖"})
    page = Paginator(range(300), 10).get_page(7)
    html = render_to_string("pager.html", {"page": page, "request": request})
    numbers = [int(n) for n in re.findall(r'data-page="(\d+)"', html)]
    assert numbers == [1, 5, 6, 8, 9, 30]
    assert 'aria-current="page">7<' in html and html.count("…") == 2
    link = re.search(r'href="\?([^"]*page=30)"', html)[1]
    assert "queue=all" in link and "q=%E4%BA%95%E7%9B%96" in link
