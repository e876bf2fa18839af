from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from cms.choosers import ProductChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=120)

    class Meta:
        template = "cms/blocks/heading.html"
        icon = "title"
        label = _("Heading")
        preview_value = {"text": "Учимся действием"}


class ParagraphBlock(blocks.RichTextBlock):
    class Meta:
        template = "cms/blocks/paragraph.html"
        icon = "pilcrow"
        label = _("Paragraph")
        features = ["bold", "italic", "link", "ol", "ul"]
        preview_value = (
            "<p>Студенты техникума сами проводят экскурсии и пекут байкальский пряник.</p>"
        )


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        template = "cms/blocks/figure.html"
        icon = "image"
        label = _("Image")


class FactBlock(blocks.StructBlock):
    figure = blocks.CharBlock(label=_("Figure"), max_length=20)
    text = blocks.CharBlock(label=_("Text"), max_length=120)


class FactsBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(FactBlock(), **kwargs)

    class Meta:
        template = "cms/blocks/facts.html"
        icon = "list-ul"
        label = _("Key facts")
        preview_value = [
            {"figure": "3", "text": "авторские экскурсии"},
            {"figure": "1", "text": "оригинальный рецепт пряника"},
        ]


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    figure = FigureBlock()
    facts = FactsBlock()


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "help"
        label = _("Question and answer")


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    items = blocks.ListBlock(FaqItemBlock(), label=_("Questions"))

    class Meta:
        template = "cms/blocks/faq.html"
        icon = "help"
        label = _("Questions and answers")
        preview_value = {
            "heading": "Частые вопросы",
            "items": [
                {
                    "question": "Можно ли с детьми?",
                    "answer": "<p>Да, детям до 7 лет — бесплатно.</p>",
                }
            ],
        }


class ProductBlock(blocks.StructBlock):
    """One product of the shop with its live price, seats or stock and a button to buy."""

    product = ProductChooserBlock(label=_("Product"))
    note = blocks.CharBlock(label=_("Note"), required=False, max_length=200)

    class Meta:
        template = "cms/blocks/product.html"
        icon = "pick"
        label = _("Product from the shop")
        preview_template = "cms/blocks/product_preview.html"
        description = _("Shows the product's current price and availability, never a copy.")


class LiveSectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    lead = blocks.TextBlock(label=_("Lead"), required=False, max_length=400)
    limit = blocks.IntegerBlock(label=_("How many"), min_value=1, max_value=12, default=3)


class FeaturedToursBlock(LiveSectionBlock):
    class Meta:
        template = "cms/blocks/featured_tours.html"
        icon = "date"
        label = _("Tours with their next departures")
        description = _("The shop's tours, each with its next dates and seats left.")
        preview_value = {"heading": "Экскурсии", "lead": "", "limit": 3}


class GingerbreadBlock(LiveSectionBlock):
    class Meta:
        template = "cms/blocks/gingerbread.html"
        icon = "pick"
        label = _("Gingerbread from the shop")
        description = _("The gingerbread on sale, with prices and stock.")
        preview_value = {"heading": "Байкальский пряник", "lead": "", "limit": 3}


class UpcomingEventsBlock(LiveSectionBlock):
    class Meta:
        template = "cms/blocks/upcoming_events.html"
        icon = "calendar-alt"
        label = _("Upcoming events")
        description = _("The next events from the events calendar.")
        preview_value = {"heading": "События", "lead": "", "limit": 3}


class ContentBlock(BodyBlock):
    """What content pages are made of: text, pictures and products from the shop."""

    faq = FaqBlock()
    product = ProductBlock()


class HomeBlock(ContentBlock):
    featured_tours = FeaturedToursBlock()
    gingerbread = GingerbreadBlock()
    upcoming_events = UpcomingEventsBlock()


class RouteStopBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Stop"), max_length=120)
    text = blocks.TextBlock(label=_("What you see there"), required=False)
    minutes = blocks.IntegerBlock(label=_("Minutes"), required=False, min_value=0)

    class Meta:
        icon = "site"
        label = _("Stop on the route")


class GalleryImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")


SHOP_SECTIONS = [
    ("tours", _("Tours")),
    ("gingerbread", _("Gingerbread")),
    ("catalogue", _("All products")),
    ("search", _("Search")),
]


class MenuBlock(blocks.StreamBlock):
    """Menu entries: a page (shown in the visitor's language) or a section of the shop."""

    page = blocks.PageChooserBlock(label=_("Page"))
    shop = blocks.ChoiceBlock(choices=SHOP_SECTIONS, label=_("Shop section"))
