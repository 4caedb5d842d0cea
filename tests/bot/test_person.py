"""Asking for a person, in Turkish, English, German, Spanish and Arabic: recognised however it is
written, and never read into an ordinary question that mentions people."""

from __future__ import annotations

import pytest

from destek.bot.person import asks_for_person

REQUESTS = [
    # Turkish: with and without its letters, call-backs, someone in charge, typos
    "Müşteri temsilcisiyle görüşmek istiyorum",
    "musteri temsilcisi ile gorusmek istiyorum",
    "temsilci lütfen",
    "canlı desteğe bağlar mısınız",
    "Yetkili biri beni arasın lütfen",
    "sorumlu biriyle konuşmam lazım",
    "beni en kısa sürede arayın",
    "bir insanla konuşabilir miyim",
    "gercek biri var mi orda",
    "bi temsilciye baglar misiniz",
    "Dün yardım eden Ayşe Hanım'la tekrar görüşebilir miyim?",
    # English
    "Can I speak to a human please?",
    "agent",
    "I want to talk to a real person",
    "please connect me with customer service",
    "can someone call me back today",
    "Put me through to a supervisor",
    "i want to tlak to a real persn",
    # German
    "Ich möchte mit einem Mitarbeiter sprechen",
    "Bitte verbinden Sie mich mit einem echten Menschen",
    "Rufen Sie mich bitte zurück",
    "Kann ich mit jemandem vom Kundenservice reden?",
    # Spanish
    "Quiero hablar con una persona",
    "¿Me pueden pasar con un agente?",
    "necesito hablar con alguien de soporte",
    "llámenme por favor",
    # Arabic
    "أريد التحدث مع موظف",
    "ممكن أكلم شخص حقيقي؟",
    "أرجو أن يتصل بي أحد الموظفين",
    "اتصلوا بي من فضلكم",
]
QUESTIONS = [
    "Yetkili kullanıcı nasıl eklenir?",
    "Yeni bir garson başladı, ona nasıl hesap açarım?",
    "insan kaynakları departmanının e-postası nedir",
    "bir iade istiyorum",
    "Aynı masada biri kartla biri nakit ödemek istiyor, olur mu?",
    "How do I add a staff person to my plan?",
    "My travel agent booked the tickets, can I change the date?",
    "Can someone please tell me how much I can top up?",
    "Why can't the person I sent money to see the transfer?",
    "Someone called me pretending to be your bank and asked for my code",
    "Başka operatörden numaramı taşımak istiyorum",
    "Ich möchte die Löschung meiner personenbezogenen Daten beantragen",
    "¿Cuántas personas pueden usar la misma cuenta?",
    "كم عدد الموظفين الذين يمكنهم استخدام الحساب؟",
    "",
    "👍",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_requests_for_a_person_are_recognised(text: str) -> None:
    assert asks_for_person(text), text


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_that_mention_people_are_not_requests(text: str) -> None:
    assert not asks_for_person(text), text
