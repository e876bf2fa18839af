from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


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
